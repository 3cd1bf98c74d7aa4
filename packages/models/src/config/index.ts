export type { RunConfig, DatasetConfig, InputConfig, OptimizerConfig, ScheduleConfig, TrainConfig } from './types.js';
export { loadRunConfig, parseRunConfig, describeSchema } from './load.js';
export { RUN_DEFAULTS } from './defaults.js';
