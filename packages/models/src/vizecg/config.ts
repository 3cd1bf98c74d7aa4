/**
 * VizECGNet configs: a discriminated union on `kind` (the full two-stream model, or the image stream alone as
 * the baseline), each default with its reason. The ablations of the paper are switches of the full model.
 * Input channels and class count come from the data, not the file.
 */
import type { MaLiangConfig } from '../models/config.js';

/**
 * The image stream's 2-D CNN (PageNet, page-net.ts): a patch stem, then one stride-2 residual stage per entry of
 * `widths`. Sized for training on 2 CPU cores; see page-net.ts for the FLOPs at the training sizes.
 */
export interface PageNetConfig {
  /** Input channels: 1 = grayscale, the renderer's default (ECG paper carries no class information in its colour). */
  channels: 1 | 3;
  /**
   * Side of the stem's non-overlapping patches (kernel = stride). 4: at 40 DPI a patch is 2.5 mm, so a 1–2 px
   * trace always falls inside one; a strided 5×5 or 7×7 stem at full resolution measured 3–4× slower per
   * step for the same multiply-adds (it is memory-bound on one input channel).
   */
  patch: number;
  /** Channels after the stem (16: a 4×4 patch of one channel has 16 pixels, so 16 filters lose nothing). */
  stemWidth: number;
  /**
   * Channels of each stride-2 stage; the last is the token width. [32, 64, 128]: total stride 32, so a
   * 440×340 page (40 DPI letter) becomes an 11×14 grid of 154 tokens, each 20 mm (0.8 s at 25 mm/s) of paper.
   */
  widths: number[];
  /** Residual blocks per stage (1 each: attention, not depth, supplies the long range). */
  blocks: number[];
}

/** SMAM and CMAM blocks: pre-norm transformer blocks over d-wide tokens (d = the streams' token width). */
export interface AttentionConfig {
  /** Attention heads (4: 32 dims per head at d = 128). */
  heads: number;
  /** MLP hidden width = mlpRatio · d (2 rather than the usual 4: the data sets are small and 2 cores are slow). */
  mlpRatio: number;
  /** Dropout on attention weights, the attention output and the MLP (0.1, PyTorch's TransformerEncoderLayer default). */
  dropout: number;
}

/** Knowledge distillation between the two streams' predictions (kd.ts). */
export interface KdConfig {
  /** Softmax/sigmoid temperature T; the loss is scaled by T² so its gradients keep their size (Hinton et al.). 2 with 4–5 classes. */
  temperature: number;
  /**
   * `signal-to-image`: the signal-side (fused) prediction is the teacher, with its gradient stopped, and only the
   * image stream is pulled toward it (default: the image path is what ships, and the teacher sees both
   * modalities, so it should not be dragged toward the weaker student). `mutual`: both are pulled toward each
   * other, each with the other's prediction detached (deep mutual learning).
   */
  direction: 'signal-to-image' | 'mutual';
}

/** The full VizECGNet: an image stream and a signal stream, SMAM, CMAM and KD, classifying from the image alone. */
export interface VizEcgNetConfig {
  kind: 'vizecgnet';
  image: PageNetConfig;
  /**
   * The signal stream: Ma & Liang's CNN, whose last channel count must equal the image stream's token width
   * (width·2^(stages−1) = widths.at(-1)). Width 16 × 4 stages of 1 block: 128 channels, total stride 64, so a
   * 10 s record at 500 Hz gives 77 time steps and one at 100 Hz 14 (ResNet-18's stride 1024 would leave 3).
   * Its `pooling` is ignored: the stream always pools with the coverage-weighted masked mean.
   */
  signal: MaLiangConfig;
  attention: AttentionConfig;
  /** Self-modality attention on each stream's tokens (false: the ablation without SMAM). */
  smam: boolean;
  /** Cross-modal attention in both directions during training (false: the ablation without CMAM). */
  cmam: boolean;
  /** Distillation settings; null: the ablation without KD (the objective adds no KD term). */
  kd: KdConfig | null;
}

/** The baseline: the image stream (PageNet, optional SMAM, head) trained alone on pages. */
export interface VizEcgImageOnlyConfig {
  kind: 'vizecg-image-only';
  image: PageNetConfig;
  attention: AttentionConfig;
  smam: boolean;
}

export type VizEcgConfig = VizEcgNetConfig | VizEcgImageOnlyConfig;

export const PAGE_NET_DEFAULTS: PageNetConfig = {
  channels: 1,
  patch: 4,
  stemWidth: 16,
  widths: [32, 64, 128],
  blocks: [1, 1, 1],
};

export const ATTENTION_DEFAULTS: AttentionConfig = { heads: 4, mlpRatio: 2, dropout: 0.1 };

export const KD_DEFAULTS: KdConfig = { temperature: 2, direction: 'signal-to-image' };

/** Ma & Liang's block structure, narrowed and shallowed for a token sequence (see VizEcgNetConfig.signal). */
export const VIZECG_SIGNAL_DEFAULTS: MaLiangConfig = {
  kind: 'ma-liang',
  pooling: 'avg',
  width: 16,
  depth: [1, 1, 1, 1],
  // 8, not 32: the first stage has 16 channels, and one channel per group kept Ma & Liang's net near chance (RESULTS.md, CinC 2017).
  groups: 8,
  stemKernel: 11,
  slope: 0.01,
  maskThreshold: 0.5,
};

export const VIZECGNET_DEFAULTS: VizEcgNetConfig = {
  kind: 'vizecgnet',
  image: PAGE_NET_DEFAULTS,
  signal: VIZECG_SIGNAL_DEFAULTS,
  attention: ATTENTION_DEFAULTS,
  smam: true,
  cmam: true,
  kd: KD_DEFAULTS,
};

export const VIZECG_IMAGE_ONLY_DEFAULTS: VizEcgImageOnlyConfig = {
  kind: 'vizecg-image-only',
  image: PAGE_NET_DEFAULTS,
  attention: ATTENTION_DEFAULTS,
  smam: true,
};
