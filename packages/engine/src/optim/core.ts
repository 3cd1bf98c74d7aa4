// The engine-core names optim uses, from one place (see ../nn/core.ts).
export { Tensor, TorchError, noGrad, tidy, keep, zeros, full, stack } from '../nn/core.js';
