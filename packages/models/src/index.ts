// @ecglab/models: Ma & Liang's variable-length CNN and a baseline, the input pipeline, the trainer,
// run directories and metrics.
export * from './errors.js';
export * from './metrics/index.js';
export * from './config/index.js';
export * from './models/index.js';
export { prepareSignal, padBatch, type PaddedBatch } from './data/prepare.js';
export { loadDataset, parseDatasetSpec, readRecordMv, SPEC_KINDS, type Dataset, type LabeledRecord } from './data/datasets.js';
export { train, type TrainOptions, type TrainResult } from './train/trainer.js';
export { predictProbs, evaluate, evaluateSingleLabel, evaluateMultiLabel, metricValue, bootstrapMetric, argmaxRows, type EvalMetrics } from './train/evaluate.js';
export { stratifiedSplit, multiLabelSplit, epochOrder, bucketByLength, balancedClassWeights, learningRate } from './train/sampling.js';
export { loadModel, readRunConfig, RUN_FILES, type ModelInfo } from './run/rundir.js';
export { createProgress, type Progress } from './run/progress.js';
export { evaluateDataset, predictRecords, type EvalReport, type Prediction } from './run/inference.js';
export * from './robustness/index.js';
export * from './report/index.js';
