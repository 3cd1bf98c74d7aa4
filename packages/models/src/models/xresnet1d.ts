import { nn, F, cat, noGrad, type Tensor } from '@ecglab/engine';
import { ArgumentError } from '../errors.js';
import { EcgClassifier } from './classifier.js';
import type { InputNormKind } from './input-norm.js';
import type { XResNet1dConfig } from './config.js';

/** conv → BatchNorm → (ReLU): fastai's ConvLayer, the unit of XResNet. */
class ConvLayer extends nn.Sequential {
  constructor(cin: number, cout: number, kernel: number, stride: number, act: boolean) {
    const layers: nn.Module[] = [
      new nn.Conv1d(cin, cout, kernel, { stride, padding: Math.floor(kernel / 2), bias: false }),
      new nn.BatchNorm1d(cout),
    ];
    if (act) layers.push(new nn.ReLU());
    super(...layers);
  }
}

/**
 * XResNet basic block (fastai, as in the PTB-XL benchmark's xresnet1d): two convolutions, the
 * shortcut average-pooled when strided and projected by a 1×1 conv + BN when the width changes.
 */
class XResBlock extends nn.Module {
  convpath: nn.Sequential;
  idconv: nn.Module | null;
  readonly stride: number;
  constructor(cin: number, cout: number, kernel: number, stride: number) {
    super();
    this.convpath = new nn.Sequential(new ConvLayer(cin, cout, kernel, stride, true), new ConvLayer(cout, cout, kernel, 1, false));
    // fastai zero-initialises the last BN's scale so each block starts as the identity.
    const bn = (this.convpath.children()[1] as nn.Sequential).children()[1] as nn.BatchNorm1d;
    noGrad(() => (bn as unknown as { weight: Tensor }).weight.zero_());
    this.idconv = cin === cout ? null : new ConvLayer(cin, cout, 1, 1, false);
    this.stride = stride;
  }
  forward(x: Tensor): Tensor {
    let id = x;
    if (this.stride !== 1) id = F.avgPool1d(id, { kernelSize: 2, stride: this.stride, ceilMode: true });
    if (this.idconv) id = (this.idconv as nn.Sequential).call(id);
    return this.convpath.call(x).add(id).relu();
  }
}

/**
 * A conventional fixed-length baseline: XResNet1d (stem of three convs, max-pool, stages of basic
 * blocks, concat average+max pooling, linear head) trained on fixed crops of `cropSeconds` and
 * evaluated by crop-and-aggregate: windows every `cropStrideSeconds`, logits averaged over the
 * windows that are at least half real signal (the first window always counts).
 *
 * @example const net = new XResNet1d(XRESNET1D_DEFAULTS, 12, 5, 100); net.call(x, mask); // [N, 5]
 */
export class XResNet1d extends EcgClassifier {
  stem: nn.Sequential;
  stages: nn.Sequential;
  head: nn.Linear;
  readonly crop: number;
  readonly cropStride: number;
  readonly padMultiple = 1;
  readonly minLength: number;
  override readonly trainWindow: number;

  constructor(readonly config: XResNet1dConfig, leads: number, classes: number, fs: number, norm: InputNormKind = 'z-score') {
    super(norm);
    const { widths, depth, kernel } = config;
    if (widths.length !== depth.length) {
      throw new ArgumentError(`XResNet1d: 'widths' and 'depth' must have the same length, got ${widths.length} and ${depth.length}`);
    }
    this.stem = new nn.Sequential(
      new ConvLayer(leads, 32, kernel, 2, true),
      new ConvLayer(32, 32, kernel, 1, true),
      new ConvLayer(32, widths[0]!, kernel, 1, true),
      new nn.MaxPool1d(3, { stride: 2, padding: 1 }),
    );
    const blocks: nn.Module[] = [];
    let cin = widths[0]!;
    depth.forEach((n, s) => {
      for (let b = 0; b < n; b++) {
        blocks.push(new XResBlock(cin, widths[s]!, kernel, b === 0 && s > 0 ? 2 : 1));
        cin = widths[s]!;
      }
    });
    this.stages = new nn.Sequential(...blocks);
    this.head = new nn.Linear(2 * cin, classes);
    this.crop = Math.max(1, Math.round(config.cropSeconds * fs));
    this.cropStride = Math.max(1, Math.round(config.cropStrideSeconds * fs));
    this.minLength = this.crop;
    this.trainWindow = this.crop;
  }

  /** Logits of fixed-length windows `[B, leads, crop]` → `[B, K]`. */
  private window(x: Tensor): Tensor {
    const h = this.stages.call(this.stem.call(x)); // [B, C, T]
    const pooled = cat([h.mean(2), h.max(2)], 1); // [B, 2C]: fastai's concat pooling
    return this.head.call(pooled);
  }

  /**
   * Logits `[N, K]` of a padded batch `xn` `[N, leads, L]` (model units) with mask `[N, 1, L]`, aggregated
   * over windows. Training feeds one `trainWindow`-long crop per record, normalised on its own; evaluation
   * feeds the whole record, normalised as a whole, and averages its windows.
   */
  classify(x: Tensor, mask: Tensor): Tensor {
    const [n, , len] = x.shape as [number, number, number];
    if (len < this.crop) throw new ArgumentError(`XResNet1d.forward: inputs must be at least ${this.crop} samples (one crop), got ${len}`);
    const starts: number[] = [];
    for (let s = 0; s + this.crop <= len; s += this.cropStride) starts.push(s);
    if (starts[starts.length - 1]! + this.crop < len) starts.push(len - this.crop);
    const windows = cat(starts.map((s) => x.narrow(2, s, this.crop)), 0); // [W·N, leads, crop], window-major
    const logits = this.window(windows).reshape([starts.length, n, -1]); // [W, N, K]
    const cover = cat(starts.map((s) => mask.narrow(2, s, this.crop).mean(2)), 1).transpose(0, 1); // [W, N]
    // A window counts when at least half of it is real signal; the first always counts.
    const valid = cover.ge(0.5).to(logits.dtype); // [W, N]
    const first = valid.narrow(0, 0, 1).mul(0).add(1); // [1, N] of ones
    const w = starts.length > 1 ? cat([first, valid.narrow(0, 1, starts.length - 1)], 0) : first; // [W, N]
    const wk = w.unsqueeze(2); // [W, N, 1]
    return logits.mul(wk).sum(0).div(wk.sum(0)); // [N, K]
  }
}
