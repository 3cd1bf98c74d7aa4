export { preprocess, toSignal, fromSignal, configHash, PREPROCESS_VERSION, type PreprocessConfig, type PreparedRecord } from './preprocess.js';
export { RecordCache, type CacheStats } from './cache.js';
export { randomBatches, bucketBatches, classBalancedWeights, weightedSample, paddingFraction } from './sampler.js';
export { collate, type Batch } from './batch.js';
export { EcgLoader, type LoaderOptions } from './loader.js';
export { noiseAugment, type NoiseAugmentConfig } from './augment.js';
