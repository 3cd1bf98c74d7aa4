// @ecglab/models: Ma & Liang's variable-length CNN and a baseline; datasets, the model side of the input
// pipeline, training objectives, the trainer, the Predictor, and metrics.
export * from './errors.js';
// The commands that run a model set libtorch's thread count through this package (the CLI imports no engine).
export { getNumThreads, setNumThreads } from '@ecglab/engine';
export type { Task } from './task.js';
export * from './metrics/index.js';
export * from './config/index.js';
export * from './models/index.js';
export { openDataset, isAdapterConfig, adapterSpec, type Dataset, type OpenDatasetOptions, type AdapterDataConfig } from './datasets/dataset.js';
export { parseDatasetSpec, SPEC_KINDS, type DatasetSpec } from './datasets/spec.js';
export { splitDataset, type Split } from './datasets/split.js';
export { toTensorBatch } from './pipeline/to-tensors.js';
export { evalPipelineOptions, trainPipelineOptions, type InputShape, type TrainSampling } from './pipeline/for-model.js';
export type { TensorBatch } from './pipeline/tensor-batch.js';
export * from './objectives/index.js';
export { train, type TrainOptions, type TrainResult } from './train/trainer.js';
export { readRunConfig, RUN_FILES } from './train/run-dir.js';
export { createProgress, type Progress } from './train/progress.js';
export { buildSchedule } from './train/schedule.js';
export { joinGroupFromEnv, joinRanks, threadsPerProcess, type JoinedGroup, type Ranks } from './train/distributed.js';
export { Predictor, type Prediction, type ImagePrediction } from './inference/predictor.js';
export { loadModel, readSpec, saveModel, modelFileOf, MODEL_FILE } from './inference/model-file.js';
export { checkSpec, isImageModel, specLeads, SPEC_FORMAT, SPEC_VERSION, type InferenceSpec } from './inference/spec.js';
export { evaluateDataset, evalDatasetConfig, type EvalReport } from './inference/evaluate.js';
export * from './vizecg/index.js';
export * from './robustness/index.js';
export * from './report/index.js';
