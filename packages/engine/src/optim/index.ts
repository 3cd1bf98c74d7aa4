// optim: optimizers, gradient clipping and learning-rate schedules with PyTorch's update formulas.
export { Optimizer, type BaseGroup, type ParamState, type OptimizerStateDict, type ParamsArg } from './optimizer.js';
export { SGD, type SGDGroup, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamGroup, type AdamOptions } from './adam.js';
export { clipGradNorm } from './clip.js';
export { flattenState, unflattenState } from './checkpoint.js';
export * as lrScheduler from './schedulers.js';
