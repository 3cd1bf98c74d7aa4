// nn: modules and layers with PyTorch's names, parameters and initialisation.
export { Module, toSnakeCase, type StateDict, type LoadStateDictOptions, type LoadResult } from './module.js';
export { Parameter, isParameter } from './parameter.js';
export { Linear, Identity, Flatten, type LinearOptions } from './linear.js';
export { Conv1d, Conv2d, type ConvOptions } from './conv.js';
export { BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm, type BatchNormOptions, type GroupNormOptions, type LayerNormOptions } from './norm.js';
export { ReLU, LeakyReLU, GELU, Sigmoid, Tanh, Dropout } from './activation.js';
export { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveMaxPool1d, type MaxPoolOptions, type AvgPoolOptions } from './pooling.js';
export { MultiheadAttention, type MultiheadAttentionOptions, type AttentionCallOptions } from './attention.js';
export { Sequential, ModuleList, ModuleDict } from './container.js';
export { pipe } from './pipe.js';
export * as init from './init.js';
