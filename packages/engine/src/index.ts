// @ecglab/engine: PyTorch's shape in TypeScript over libtorch. See ../API.md for the contract.
export { Tensor } from './tensor.js';
export type { Operand, NestedArray } from './tensor.js';
export type { DType, Device, TensorOptions, AnyTypedArray, TypedArrayFor } from './dtype.js';
export { DTYPES } from './dtype.js';
export {
  zeros, ones, full, empty, randn, rand, randint, randperm, arange, linspace, eye, tensor, fromArray,
  zerosLike, onesLike, fullLike, randnLike, cat, stack, where,
} from './creation.js';
export { tidy, keep, liveTensorCount, watchLiveTensors } from './scope.js';
export { grad, noGrad, enableGrad, isGradEnabled, setGradEnabled } from './autograd.js';
export type { GradOptions } from './autograd.js';
export { setNumThreads, getNumThreads, manualSeed, cudaIsAvailable } from './runtime.js';
export { autocast, isAutocastEnabled } from './autocast.js';
export type { AutocastDType } from './autocast.js';
export { cpuAllocatorStats, emptyCpuCache } from './allocator.js';
export type { CpuAllocatorStats } from './allocator.js';
export { TorchError } from './errors.js';
export type { TorchErrorCode } from './errors.js';
export { assertFinite } from './checks.js';
export { TorchWorker } from './worker.js';
export * as F from './functional/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as safetensors from './safetensors/index.js';
export * as distributed from './distributed/index.js';
