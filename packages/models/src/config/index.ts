export type { RunConfig, DatasetConfig, PtbxlFolds, InputConfig, OptimizerConfig, ScheduleConfig, TrainConfig } from './types.js';
export { loadRunConfig, parseRunConfig, describeSchema } from './load.js';
export { RUN_DEFAULTS } from './defaults.js';
