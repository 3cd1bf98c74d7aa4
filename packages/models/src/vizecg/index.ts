// VizECGNet: ECG classification from paper images, trained with image and signal (design: vizecgnet.ts).
export * from './config.js';
export { VizECGNet, type StreamLogits, type PageBatch } from './vizecgnet.js';
export { PageNet, BasicBlock2d, pageNetMacs, checkPageNetConfig } from './page-net.js';
export { SelfModalityAttention } from './smam.js';
export { CrossModalAttention, CrossAttentionBlock } from './cmam.js';
export { softKl, distillationLoss } from './kd.js';
export { vizEcgObjective, VIZECG_OBJECTIVE_DEFAULTS, type VizEcgObjectiveConfig } from './objective.js';
export { positionalEncoding1d, positionalEncoding2d } from './positional.js';
