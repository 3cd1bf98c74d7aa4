// The one place nn and optim import the engine core from: the core's own module files, not ../index.js,
// which re-exports nn and optim and would make an import cycle.
export { Tensor } from '../tensor.js';
export type { DType, Device } from '../dtype.js';
export { zeros, ones, full, stack, fromArray } from '../creation.js';
export { noGrad, tidy, keep } from '../autograd.js';
export { TorchError } from '../errors.js';
export * as F from '../functional/index.js';
