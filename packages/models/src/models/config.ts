/**
 * Model configs: a discriminated union on `kind`, each variant's defaults commented with their reason.
 * The number of input leads and classes come from the data, not the file.
 */

/** Ma & Liang's variable-length 1-D ResNet (pooling `avg` = masked GAP as published; `max` = max over time). */
export interface MaLiangConfig {
  kind: 'ma-liang';
  /** 'avg': masked global average pooling (the paper); 'max': masked max over time (its variant). */
  pooling: 'avg' | 'max';
  /** Channels of the first stage; stages double it (64 → 64/128/256/512 as in ResNet-18). */
  width: number;
  /** Residual blocks per stage; [2, 2, 2, 2] is ResNet-18. */
  depth: number[];
  /**
   * GroupNorm groups (clamped to the channel count). 32, not Ma & Liang's one group per channel:
   * with one group per channel the net stayed near chance on CinC 2017 in a PyTorch reference run (RESULTS.md).
   */
  groups: number;
  /** Stem kernel (11 in the paper) */
  stemKernel: number;
  /** LeakyReLU negative slope (PyTorch's default 0.01, as in their code). */
  slope: number;
  /** Positions whose pooled mask coverage is below this are dropped from the pooling (0.5 in the paper). */
  maskThreshold: number;
}

/** fastai-style XResNet1d (the PTB-XL benchmark's xresnet1d101 family), fixed input length with crop-and-aggregate. */
export interface XResNet1dConfig {
  kind: 'xresnet1d';
  /** Stage widths; [64, 128, 256, 512] with depth [3, 4, 6, 3] is xresnet1d50's layout (basic blocks here). */
  widths: number[];
  depth: number[];
  /** Kernel of the block convolutions (5 in the PTB-XL benchmark's xresnet1d). */
  kernel: number;
  /** Training and evaluation crop in seconds (2.5 s in the PTB-XL benchmark). */
  cropSeconds: number;
  /** Evaluation crops are taken every `cropStrideSeconds` and their logits averaged (aggregate). */
  cropStrideSeconds: number;
}

export type ModelConfig = MaLiangConfig | XResNet1dConfig;

export const MA_LIANG_DEFAULTS: MaLiangConfig = {
  kind: 'ma-liang',
  pooling: 'avg',
  width: 64,
  depth: [2, 2, 2, 2],
  groups: 32,
  stemKernel: 11,
  slope: 0.01,
  maskThreshold: 0.5,
};

export const XRESNET1D_DEFAULTS: XResNet1dConfig = {
  kind: 'xresnet1d',
  widths: [64, 128, 256, 512],
  depth: [2, 2, 2, 2],
  kernel: 5,
  cropSeconds: 2.5,
  cropStrideSeconds: 1.25,
};
