// @ecglab/service: the HTTP service (hono on Node) and its web page, over the models package's Predictor
// in a worker thread; the bundled-model registry used by `ecglab serve`, `ecglab models` and `ecglab predict`.
export { Service, buildApp, type ServiceOptions } from './app.js';
export { serve, type ServeOptions, type RunningServer } from './server.js';
export { ServiceError, type ServiceErrorCode, type ErrorBody } from './errors.js';
export { LimitsSchema, DEFAULT_LIMITS, type Limits, type LimitsInput } from './limits.js';
export { listModels, findModel, matchModel, leadFit, cardMeta, modelsDir, BUNDLED_MODELS_DIR, type BundledModel, type CardMeta } from './models/registry.js';
export { addModel, type AddModelOptions } from './models/add.js';
export { halveModelFile, toFloat16Bits, toBfloat16Bits, type HalfDType } from './models/half.js';
export { buildPage, PAGE_OUT } from './page/assets.js';
export { readUpload, type Upload, type UploadFields, type ImageUpload } from './upload/read.js';
export { WorkQueue } from './queue.js';
