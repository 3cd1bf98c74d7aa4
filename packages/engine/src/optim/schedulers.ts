// optim.lrScheduler: the schedules in one namespace, as torch.optim.lr_scheduler.
export { LRScheduler, StepLR, CosineAnnealingLR, LinearLR, SequentialLR, LinearWarmup, type LinearWarmupOptions, type SchedulerState } from './lr-scheduler.js';
export { OneCycleLR, type OneCycleOptions } from './one-cycle.js';
