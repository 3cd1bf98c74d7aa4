// `F`: PyTorch's torch.nn.functional in camelCase. Each group lives in functional/.
export { relu, sigmoid, tanh, silu, softplus, elu, logSigmoid, gelu, leakyRelu, softmax, logSoftmax, dropout, pad } from './activation.js';
export type { PadMode } from './activation.js';
export { linear, conv1d, conv2d, maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool1d, adaptiveMaxPool1d, adaptiveAvgPool2d, adaptiveMaxPool2d } from './conv.js';
export type { ConvOptions, MaxPoolOptions, AvgPoolOptions } from './conv.js';
export { batchNorm, groupNorm, layerNorm } from './norm.js';
export { crossEntropy, nllLoss, binaryCrossEntropyWithLogits, binaryCrossEntropy, klDiv, mseLoss, l1Loss, smoothL1Loss } from './loss.js';
export type { Reduction, CrossEntropyOptions } from './loss.js';
export { scaledDotProductAttention, multiHeadAttention, transformerEncoderLayerFused } from './attention.js';
export type { SdpaOptions, MultiHeadAttentionOptions, EncoderLayerWeights } from './attention.js';
