/**
 * VizECGNet (Nam et al., "VizECGNet: Visual ECG Image Network for Cardiovascular Diseases Classification with
 * Multi-Modal Training and Knowledge Distillation", arXiv 2408.02888): classify an ECG from a picture of its
 * printout alone, having trained on pictures paired with their digitized signals.
 *
 * The paper names the parts (an image stream and a signal stream, self-modality attention SMAM, cross-modal
 * attention CMAM, a head per stream, knowledge distillation, loss λ1·L_cls + λ2·L_KD with λ1 = λ2 = 1) but
 * publishes neither the backbones, the attention internals, the KD form nor its data. Everything below those
 * names is our design; each choice and its reason:
 *
 * **What runs at inference** (`logits(batch)`, `forward(page)`, eval mode): only `image` (PageNet), the 2-D
 * position encoding, `imageSmam` and `imageHead`, reading only `batch.extras.page`. Never `signal` (Ma & Liang's
 * CNN with its InputNorm), `signalSmam`, `cmam` (either direction) nor the signal head, and `batch.x`/`mask`
 * need not exist. The Predictor can therefore serve a model trained with both modalities from a page alone.
 *
 * **The image path is the same in training and at inference.** CMAM's image ← signal direction needs the
 * signal, which inference does not have. If the image head were trained on CMAM's output, inference would
 * feed it tokens it never saw (the residual update of CMAM simply missing). So in training the image stream's
 * logits, the student, come from exactly the inference path (PageNet → SMAM → mean → head); CMAM feeds the
 * other head instead:
 *
 *     image tokens  I = SMAM_img(PageNet(page) + PE2d)           [N, h·w, d]
 *     signal tokens S = SMAM_sig(MaLiang.features(x) + PE1d)     [N, T, d], padded steps masked
 *     image logits  = imageHead(mean_tokens(I))                              ← the student; all that ships
 *     signal logits = signalHead(½·(maskedMean(CMAM_s←i(S, I)) + mean(CMAM_i←s(I, S))))   ← the teacher
 *
 * The teacher sees both modalities: signal time steps that have looked at the page, and page positions that
 * have looked at the signal. Averaging the two pooled vectors (rather than concatenating) keeps the head's
 * input width d with and without CMAM, so the no-CMAM ablation changes the attention alone, not the head.
 * CMAM reaches the shipped image path in two ways: the teacher's classification loss back-propagates into the
 * page tokens I (keys and values of signal ← image, queries and residual of image ← signal), shaping PageNet
 * and the image SMAM to carry what the signal stream can use; and the KD term pulls the student toward the
 * teacher's predictions.
 *
 * **Backbones.** Image: PageNet (page-net.ts), a 4×4 patch stem and three stride-2 residual stages, 0.21 GFLOP
 * per 440×340 page: small enough to train on 2 CPU cores (the paper used GPUs; sizes there are unknown).
 * Signal: Ma & Liang's variable-length CNN (ma-liang.ts) through its `features()`, narrowed to width 16 with one
 * block per stage so that a record yields tens of time steps rather than three (config.ts).
 *
 * **Training size: 40 DPI, a letter page at 440×340** (the renderer's own size at 40 DPI: a clean page needs no resize). The model
 * is fully convolutional and its position encodings exist for any grid, so the size is the data's choice; 40
 * rather than 60 DPI because on 2 cores both costs scale with the pixels: PageNet needs 0.21 rather than 0.47
 * GFLOP per page, and rendering with artefacts took about 2.5× longer per page at 60 DPI (measured while
 * choosing). What 40 DPI keeps: 1 mm is 1.6 px, a QRS complex (2–3 mm at 25 mm/s) 3–5 px wide, 1 mV 16 px tall
 * at 10 mm/mV, the R–R rhythm and the rhythm strip. What it loses: a 0.1 mV ST shift is 1.6 px, at the limit,
 * a cost for PTB-XL's STTC and MI classes; the 60 DPI configuration (16×21 tokens) is the one to try there.
 *
 * **Tokens.** The token width d is the signal CNN's last channel count and must equal PageNet's last width
 * (128 by default), so neither stream needs a projection; with SMAM and CMAM off, the signal side is exactly
 * Ma & Liang's network with masked average pooling (tested). Image tokens are the feature grid's positions
 * in row-major order; signal tokens are the last stage's time steps, with the key padding mask from the
 * record's mask (positions covering under half real samples are padding, as Ma & Liang's pooling drops them).
 * Fixed sinusoidal encodings (positional.ts) are added to a stream's tokens when attention reads them (SMAM or
 * CMAM on): 2-D for the page, so attention can tell leads (rows) from time (columns), 1-D for the signal.
 *
 * **Attention blocks.** SMAM (smam.ts) is one pre-norm transformer encoder block per stream (PyTorch's
 * `TransformerEncoderLayer` with `norm_first=True`, GELU); CMAM (cmam.ts) is one pre-norm cross-attention block
 * per direction, both directions computed from the same pre-CMAM tokens. One block each: the data sets are
 * small and the attention should add range, not depth. 4 heads, MLP 2·d, dropout 0.1.
 *
 * **Pooling and heads.** The page is pooled by the mean over all grid positions (every position is real
 * paper); the signal by Ma & Liang's coverage-weighted masked mean. Each head is one linear layer; the signal
 * head is Ma & Liang's own last layer.
 *
 * **KD and the loss** are in kd.ts (T², softmax KL for single-label, per-class Bernoulli KL for multi-label,
 * signal → image with the teacher detached by default, or mutual) and objective.ts (L_cls is the sum of both
 * heads' classification losses).
 *
 * **Ablations** (config.ts): `smam: false` drops both SMAM blocks (tokens go straight to pooling or CMAM);
 * `cmam: false` makes the teacher the signal stream alone (signalHead(maskedMean(S))); `kd: null` drops the KD
 * term; the `vizecg-image-only` variant is the image path alone, trained on pages with L_cls.
 */
import { nn, type Tensor } from '@ecglab/engine';
import { ArgumentError } from '../errors.js';
import type { BatchModel } from '../models/classifier.js';
import type { InputNormKind } from '../models/input-norm.js';
import { MaLiangNet } from '../models/ma-liang.js';
import type { TensorBatch } from '../pipeline/tensor-batch.js';
import type { VizEcgConfig } from './config.js';
import { CrossModalAttention } from './cmam.js';
import { PageNet } from './page-net.js';
import { positionalEncoding1d, positionalEncoding2d } from './positional.js';
import { SelfModalityAttention } from './smam.js';

/** Both streams' logits from a training forward pass; `signal` is null for the image-only variant. */
export interface StreamLogits {
  /** `[N, K]` the image stream's logits: exactly what `logits()` returns for the same page in the same mode. */
  image: Tensor;
  /** `[N, K]` the signal side's logits after CMAM (the KD teacher), or null for `vizecg-image-only`. */
  signal: Tensor | null;
}

/** What image-only inference reads of a batch: the page alone. */
export type PageBatch = Pick<TensorBatch, 'extras'>;

/**
 * The VizECGNet model (design and reasons at the top of this file).
 *
 * @example
 * const net = new VizECGNet(VIZECGNET_DEFAULTS, 12, 5);
 * const { image, signal } = net.streamLogits(batch); // training: page + signal → [N, 5] each
 * net.eval();
 * const z = net.logits({ extras: { page } });         // inference from the page alone → [N, 5]
 */
export class VizECGNet extends nn.Module implements BatchModel {
  readonly config: VizEcgConfig;
  readonly classes: number;
  /** Token width of both streams. */
  readonly dim: number;
  /**
   * For the input pipeline, as EcgClassifier's: signal batches padded to a multiple of this many samples (the
   * signal CNN's total stride; it would pad itself, but padding once in the batch saves a copy) and to at least
   * `minLength` samples (3 × the stride, below which the CNN has no position). 1 and 1 for the image-only variant
   * (it reads no signal; 1 is the least the input pipeline accepts).
   */
  readonly padMultiple: number;
  readonly minLength: number;
  image: PageNet;
  imageSmam: SelfModalityAttention | null;
  imageHead: nn.Linear;
  signal: MaLiangNet | null;
  signalSmam: SelfModalityAttention | null;
  cmam: CrossModalAttention | null;

  /**
   * `leads` input leads of the signal (unused by `vizecg-image-only`), `classes` outputs, `norm` the signal
   * stream's input scaling (its first stage, as for every signal model).
   */
  constructor(config: VizEcgConfig, leads: number, classes: number, norm: InputNormKind = 'max-abs') {
    super();
    if (!Number.isInteger(classes) || classes < 1) throw new ArgumentError(`VizECGNet: 'classes' must be a positive integer, got ${classes}`);
    checkConfig(config);
    this.config = config;
    this.classes = classes;
    this.image = new PageNet(config.image);
    const d = this.image.outChannels;
    this.dim = d;
    if (d % 4 !== 0 || d % config.attention.heads !== 0) {
      throw new ArgumentError(`VizECGNet: the token width (image.widths' last, ${d}) must be a multiple of 4 and of 'attention.heads' (${config.attention.heads})`);
    }
    this.imageSmam = config.smam ? new SelfModalityAttention(d, config.attention) : null;
    this.imageHead = new nn.Linear(d, classes);
    this.signal = null;
    this.signalSmam = null;
    this.cmam = null;
    this.padMultiple = 1;
    this.minLength = 1;
    if (config.kind === 'vizecgnet') {
      const s = config.signal;
      const sigChannels = s.width * 2 ** (s.depth.length - 1);
      if (sigChannels !== d) {
        throw new ArgumentError(
          `VizECGNet: the signal stream's last channel count (signal.width·2^(stages−1) = ${s.width}·2^${s.depth.length - 1} = ${sigChannels}) ` +
            `must equal the image stream's token width (image.widths' last = ${d})`,
        );
      }
      this.signal = new MaLiangNet({ ...s, pooling: 'avg' }, leads, classes, norm);
      this.padMultiple = this.signal.padMultiple;
      this.minLength = this.signal.minLength;
      this.signalSmam = config.smam ? new SelfModalityAttention(d, config.attention) : null;
      this.cmam = config.cmam ? new CrossModalAttention(d, config.attention) : null;
    }
  }

  /** Whether tokens get position encodings: when some attention block reads them. */
  private get attends(): boolean {
    return this.config.smam || (this.config.kind === 'vizecgnet' && this.config.cmam);
  }

  /** The page tokens after the image SMAM `[N, h·w, d]` and the grid `[h, w]`. */
  imageTokens(page: Tensor): { tokens: Tensor; grid: [number, number] } {
    const { tokens, grid } = this.imageStream(page, false);
    return { tokens, grid };
  }

  /** The inference path up to the image SMAM, with the SMAM's attention weights `[N, h·w, h·w]` when asked. */
  private imageStream(page: Tensor, withWeights: boolean): { tokens: Tensor; grid: [number, number]; weights: Tensor | null } {
    const fmap = this.image.forward(page); // [N, d, h, w]
    const [h, w] = [fmap.shape[2]!, fmap.shape[3]!];
    let tokens = nn.pipe(fmap, (t) => t.flatten(2), (t) => t.permute(0, 2, 1)); // [N, d, h, w] → [N, d, h·w] → [N, h·w, d]
    fmap.dispose();
    if (this.attends) {
      const pe = positionalEncoding2d(h, w, this.dim, tokens.dtype); // [1, h·w, d]
      tokens = nn.pipe(tokens, (t) => t.add(pe));
      pe.dispose();
    }
    let weights: Tensor | null = null;
    if (this.imageSmam) {
      const a = this.imageSmam.attend(tokens, null, withWeights);
      tokens.dispose();
      tokens = a.out;
      weights = a.weights;
    }
    return { tokens, grid: [h, w], weights };
  }

  /**
   * The signal tokens after the signal SMAM `[N, T, d]`, their key padding mask `[N, T]` (true = past the
   * record's end) and pooling weights `[N, 1, T]` (coverage, zero where dropped).
   */
  signalTokens(x: Tensor, mask: Tensor): { tokens: Tensor; padding: Tensor; weight: Tensor } {
    const net = this.requireSignal('signalTokens');
    const xn = net.normalize(x, mask);
    const { map, keep, coverage } = net.features(xn, mask); // [N, d, T], [N, 1, T] bool, [N, 1, T]
    if (xn !== x) xn.dispose();
    const weight = coverage.mul(keep.to(coverage.dtype)); // [N, 1, T], Ma & Liang's pooling weights
    const padding = keep.logicalNot().squeeze(1); // [N, 1, T] → [N, T]
    coverage.dispose();
    keep.dispose();
    let tokens = nn.pipe(map, (t) => t.permute(0, 2, 1)); // [N, d, T] → [N, T, d]
    if (this.attends) {
      const pe = positionalEncoding1d(tokens.shape[1]!, this.dim, tokens.dtype); // [1, T, d]
      tokens = nn.pipe(tokens, (t) => t.add(pe));
      pe.dispose();
    }
    if (this.signalSmam) tokens = nn.pipe(tokens, (t) => this.signalSmam!.forward(t, padding));
    map.dispose();
    return { tokens, padding, weight };
  }

  /**
   * Where the image SMAM looked: the attention each grid position received, averaged over heads and over all
   * querying positions, `[N, h, w]` (each page's map sums to 1), for visualisations of which regions of the page
   * the model used. Runs the inference path up to the image SMAM; needs `smam` on.
   *
   * @example const { map, grid } = net.attentionMap(page); // map [N, 11, 14] for 440×340 pages
   */
  attentionMap(page: Tensor): { map: Tensor; grid: [number, number] } {
    if (!this.imageSmam) throw new ArgumentError(`VizECGNet.attentionMap: the model has no image SMAM ('smam' is false), so there is no attention to show`);
    const { tokens, grid, weights } = this.imageStream(page, true); // weights [N, h·w (queries), h·w (keys)]
    tokens.dispose();
    const map = nn.pipe(weights!, (t) => t.mean(1), (t) => t.reshape([page.shape[0]!, ...grid])); // [N, h·w] → [N, h, w]
    weights!.dispose();
    return { map, grid };
  }

  /** Image-only logits `[N, K]` of a page `[N, C, H, W]` in [0, 1] (1 = paper). */
  forward(page: Tensor): Tensor {
    const { tokens } = this.imageTokens(page);
    return nn.pipe(tokens, (t) => t.mean(1), (t) => this.imageHead.forward(t)); // [N, h·w, d] → [N, d] → [N, K]
  }

  /** Image-only inference: logits `[N, K]` from `batch.extras.page` alone (the batch needs no signal). */
  logits(batch: PageBatch): Tensor {
    return this.forward(pageOf('VizECGNet.logits', batch));
  }

  /**
   * The training forward pass: the image stream's logits (the inference path) and the signal side's logits
   * after CMAM, from `batch.extras.page` and `batch.x`/`batch.mask`.
   */
  streamLogits(batch: Pick<TensorBatch, 'extras' | 'x' | 'mask'>): StreamLogits {
    const page = pageOf('VizECGNet.streamLogits', batch);
    const { tokens: img } = this.imageTokens(page); // [N, h·w, d]
    const image = nn.pipe(img, (t) => t.mean(1), (t) => this.imageHead.forward(t)); // [N, K]
    if (this.config.kind === 'vizecg-image-only') {
      img.dispose();
      return { image, signal: null };
    }
    const net = this.requireSignal('streamLogits');
    if (!batch.x || !batch.mask) throw new ArgumentError('VizECGNet.streamLogits: the batch has no signal (x and mask); training needs page and signal pairs');
    if (batch.x.shape[0] !== page.shape[0]) {
      throw new ArgumentError(`VizECGNet.streamLogits: 'extras.page' has ${page.shape[0]} pages but 'x' has ${batch.x.shape[0]} records`);
    }
    const { tokens: sig, padding, weight } = this.signalTokens(batch.x, batch.mask); // [N, T, d], [N, T], [N, 1, T]
    let pooled: Tensor;
    if (this.cmam) {
      const fused = this.cmam.forward(img, sig, padding);
      const s = maskedMean(fused.signal, weight); // [N, d]
      const i = fused.image.mean(1); // [N, d]
      pooled = s.add(i).mul(0.5);
      for (const t of [fused.signal, fused.image, s, i]) t.dispose();
    } else {
      pooled = maskedMean(sig, weight); // [N, d]
    }
    const signal = net.head.call(pooled);
    for (const t of [img, sig, padding, weight, pooled]) t.dispose();
    return { image, signal };
  }

  private requireSignal(fn: string): MaLiangNet {
    if (!this.signal) throw new ArgumentError(`VizECGNet.${fn}: the '${this.config.kind}' variant has no signal stream`);
    return this.signal;
  }
}

/** Throws an ArgumentError naming the field when a VizECGNet config is malformed (PageNet checks its own). */
function checkConfig(c: VizEcgConfig): void {
  if (c.kind !== 'vizecgnet' && c.kind !== 'vizecg-image-only') {
    throw new ArgumentError(`VizECGNet: 'kind' must be 'vizecgnet' or 'vizecg-image-only', got ${JSON.stringify((c as { kind: unknown }).kind)}`);
  }
  const { heads, mlpRatio, dropout } = c.attention;
  if (!Number.isInteger(heads) || heads < 1) throw new ArgumentError(`VizECGNet: 'attention.heads' must be a positive integer, got ${heads}`);
  if (!(mlpRatio > 0)) throw new ArgumentError(`VizECGNet: 'attention.mlpRatio' must be > 0, got ${mlpRatio}`);
  if (!(dropout >= 0 && dropout < 1)) throw new ArgumentError(`VizECGNet: 'attention.dropout' must be in [0, 1), got ${dropout}`);
  if (c.kind === 'vizecgnet' && c.kd) {
    if (!(c.kd.temperature > 0)) throw new ArgumentError(`VizECGNet: 'kd.temperature' must be > 0, got ${c.kd.temperature}`);
    if (c.kd.direction !== 'signal-to-image' && c.kd.direction !== 'mutual') {
      throw new ArgumentError(`VizECGNet: 'kd.direction' must be 'signal-to-image' or 'mutual', got ${JSON.stringify(c.kd.direction)}`);
    }
  }
}

/** Ma & Liang's masked average: tokens `[N, T, d]` weighted by `weight` `[N, 1, T]` → `[N, d]`. */
function maskedMean(tokens: Tensor, weight: Tensor): Tensor {
  const byChannel = tokens.permute(0, 2, 1); // [N, T, d] → [N, d, T], the layout MaLiangNet.classify pools
  const den = weight.sum(2).add(1e-8); // [N, 1]
  const out = nn.pipe(byChannel, (t) => t.mul(weight), (t) => t.sum(2), (t) => t.div(den)); // [N, d]
  byChannel.dispose();
  den.dispose();
  return out;
}

/** `batch.extras.page`, checked to be `[N, C, H, W]` floating point. */
function pageOf(fn: string, batch: PageBatch): Tensor {
  const page = batch.extras?.page;
  if (!page) throw new ArgumentError(`${fn}: 'batch.extras.page' is missing: the image model reads the rendered page [N, C, H, W]`);
  if (page.ndim !== 4 || (page.dtype !== 'float32' && page.dtype !== 'float64')) {
    throw new ArgumentError(`${fn}: 'batch.extras.page' must be a float [N, C, H, W] tensor, got ${page.dtype} [${page.shape.join(', ')}]`);
  }
  return page;
}
