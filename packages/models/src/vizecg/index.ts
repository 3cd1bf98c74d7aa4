// VizECGNet: ECG classification from paper images, trained with image and signal (design: vizecgnet.ts).
export * from './config.js';
export { VizECGNet, type StreamLogits, type PageBatch } from './vizecgnet.js';
export { PageNet, BasicBlock2d, pageNetMacs, checkPageNetConfig } from './page-net.js';
export { SelfModalityAttention } from './smam.js';
export { CrossModalAttention, CrossAttentionBlock } from './cmam.js';
export { softKl, distillationLoss } from './kd.js';
export { vizEcgObjective, VIZECG_OBJECTIVE_DEFAULTS, type VizEcgObjectiveConfig } from './objective.js';
export { positionalEncoding1d, positionalEncoding2d } from './positional.js';
export { PAGE_DEFAULTS, PHOTO_ARTEFACTS, TRAIN_ARTEFACTS, checkPageConfig, pageOptions, validLayouts, type PageConfig, type PageVariant } from './pages.js';
export { PageRenderer } from './page-renderer.js';
export { pageExtras, type PageExtrasOptions, type PageExtrasStats } from './page-extras.js';
