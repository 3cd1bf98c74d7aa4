export { InputPipeline, partPositions, type PipelineOptions, type ExtrasContext, type EpochShard } from './pipeline.js';
export { databaseSource, memorySource, type RecordSource } from './source.js';
export { conform, type ConformSpec, type ConformNotes } from './conform.js';
export { collate, padBatch, type Batch, type BatchItem, type BatchPart, type ExtraInput } from './collate.js';
export { epochOrder, chunkBatches, bucketBatches, classBalancedWeights, weightedSample, lossClassWeights, paddingFraction, type EpochOrder } from './sampling.js';
export { RecordCache, type CacheStats } from './cache.js';
export { noiseAugment, type NoiseAugmentConfig } from './augment.js';
