import { nn, F, type Tensor } from '@ecglab/engine';
import { ArgumentError } from '../errors.js';
import { EcgClassifier } from './classifier.js';
import type { InputNormKind } from './input-norm.js';
import type { MaLiangConfig } from './config.js';

/** GroupNorm with at most `groups` groups (a 16-channel layer cannot have 32). */
function groupNorm(groups: number, channels: number): nn.GroupNorm {
  const g = Math.min(groups, channels);
  if (channels % g !== 0) throw new ArgumentError(`MaLiangNet: 'groups' (${g}) must divide every stage's channel count, got ${channels} channels`);
  return new nn.GroupNorm(g, channels);
}

/**
 * Ma & Liang's residual block: two k3 convolutions, the first with stride 2, and a 1×1 strided
 * projection shortcut in every block (their code has one even when the channel count is unchanged).
 */
export class BasicBlock extends nn.Module {
  conv1: nn.Conv1d;
  gn1: nn.GroupNorm;
  relu: nn.LeakyReLU;
  conv2: nn.Conv1d;
  gn2: nn.GroupNorm;
  downsample: nn.Conv1d;
  gn3: nn.GroupNorm;

  constructor(cin: number, cout: number, stride: number, groups: number, slope: number) {
    super();
    this.conv1 = new nn.Conv1d(cin, cout, 3, { stride, padding: 1, bias: false });
    this.gn1 = groupNorm(groups, cout);
    this.relu = new nn.LeakyReLU(slope);
    this.conv2 = new nn.Conv1d(cout, cout, 3, { stride: 1, padding: 1, bias: false });
    this.gn2 = groupNorm(groups, cout);
    this.downsample = new nn.Conv1d(cin, cout, 1, { stride, bias: false });
    this.gn3 = groupNorm(groups, cout);
  }

  // nn.pipe drops each intermediate as soon as the next op has used it, as PyTorch's refcounting does;
  // under tidy() alone every activation of the forward stays alive until the scope ends (see nn/pipe.ts).
  forward(x: Tensor): Tensor {
    const out = nn.pipe(x, (t) => this.conv1.forward(t), (t) => this.gn1.forward(t), (t) => this.relu.forward(t),
      (t) => this.conv2.forward(t), (t) => this.gn2.forward(t));
    const idt = nn.pipe(x, (t) => this.downsample.forward(t), (t) => this.gn3.forward(t));
    const y = nn.pipe(out, (t) => t.add(idt), (t) => this.relu.forward(t));
    out.dispose();
    idt.dispose();
    return y;
  }
}

/**
 * Ma & Liang's variable-length 1-D ResNet (ResNet-18 layout by default) with masked pooling.
 * Parameter names follow their PyTorch code (`layer0.0.weight`, `layer1.0.conv1.weight`, ...,
 * `layer5.weight`), so weights interchange with the PyTorch twin in fixtures/ma_liang_torch.py.
 *
 * Total stride S = 4·2^(number of blocks) (1024 for ResNet-18). An input is right-padded to a
 * multiple of S, as their loader pads to 3072·n; then the last stage has L/S − 2 positions, the
 * same count as the mask average-pooled with kernel 3S and stride S, so each position gets its
 * window's coverage. Positions covering less than `maskThreshold` real samples are dropped.
 *
 * @example
 * const net = new MaLiangNet({ ...MA_LIANG_DEFAULTS }, 1, 4, 'max-abs');
 * const logits = net.call(x, mask); // x [N, 1, L] in mV, mask [N, 1, L] → [N, 4]
 */
export class MaLiangNet extends EcgClassifier {
  readonly config: MaLiangConfig;
  readonly stride: number;
  readonly stages: number;
  readonly padMultiple: number;
  readonly minLength: number;

  constructor(config: MaLiangConfig, leads: number, classes: number, norm: InputNormKind = 'max-abs') {
    super(norm);
    this.config = config;
    const { width, depth, groups, stemKernel, slope } = config;
    this.layer0 = new nn.Sequential(
      new nn.Conv1d(leads, width, stemKernel, { stride: 2, padding: Math.floor(stemKernel / 2), bias: false }),
      groupNorm(groups, width),
      new nn.LeakyReLU(slope),
      new nn.MaxPool1d(3, { stride: 2, padding: 1 }),
    );
    let cin = width;
    depth.forEach((n, s) => {
      const cout = width * 2 ** s;
      const layers: nn.Module[] = [];
      for (let b = 0; b < n; b++) {
        layers.push(new BasicBlock(cin, cout, 2, groups, slope));
        cin = cout;
      }
      // Their last stage ends with a k3 convolution without padding and a ReLU.
      if (s === depth.length - 1) layers.push(new nn.Conv1d(cout, cout, 3, { stride: 1, padding: 0 }), new nn.ReLU());
      this.registerModule(`layer${s + 1}`, new nn.Sequential(...layers));
    });
    this.registerModule(`layer${depth.length + 1}`, new nn.Linear(cin, classes));
    this.stages = depth.length;
    this.stride = 4 * 2 ** depth.reduce((a, b) => a + b, 0);
    this.padMultiple = this.stride;
    this.minLength = 3 * this.stride;
  }

  declare layer0: nn.Sequential;

  private layer(i: number): nn.Module & { call(x: Tensor): Tensor } {
    return (this as unknown as Record<string, nn.Module & { call(x: Tensor): Tensor }>)[`layer${i}`]!;
  }

  /**
   * The last stage's feature map and which of its positions hold enough of the record, before pooling:
   * what a model that attends over time steps (VizECGNet's signal stream) builds on. `map` is `[N, C, T]`
   * (C = width·2^(stages−1), T = L'/S − 2 with L' the input length padded to a multiple of the total
   * stride S), `keep` `[N, 1, T]` bool (coverage ≥ `maskThreshold`), `coverage` `[N, 1, T]` the fraction
   * of real samples in each position's window (the weights of the masked average pooling).
   *
   * @example
   * const { map, keep } = net.features(net.normalize(x, mask), mask); // map [N, C, T], keep [N, 1, T]
   */
  features(x: Tensor, mask: Tensor): { map: Tensor; keep: Tensor; coverage: Tensor } {
    const s = this.stride;
    if (x.ndim !== 3 || mask.ndim !== 3 || mask.shape[1] !== 1 || mask.shape[0] !== x.shape[0] || mask.shape[2] !== x.shape[2]) {
      throw new ArgumentError(`MaLiangNet: 'x' must be [N, leads, L] and 'mask' [N, 1, L], got [${x.shape.join(', ')}] and [${mask.shape.join(', ')}]`);
    }
    const pad = (s - ((x.shape[2] as number) % s)) % s;
    const input = x;
    const inputMask = mask;
    if (pad > 0) {
      x = F.pad(x, [0, pad]); // [N, leads, L'] with L' a multiple of S
      mask = F.pad(mask, [0, pad]); // [N, 1, L']
    }
    if ((x.shape[2] as number) < 3 * s) {
      throw new ArgumentError(`MaLiangNet: inputs must be at least ${3 * s} samples (3 × the total stride ${s}), got ${x.shape[2]}`);
    }
    // Each stage's output is dropped once the next stage has used it (nn.pipe); the padded copy of the input too.
    const stages = Array.from({ length: this.stages + 1 }, (_, i) => (t: Tensor) => this.layer(i).call(t));
    const padded = x;
    const map = nn.pipe(padded, ...stages); // [N, C, L'/S − 2]
    if (padded !== input) padded.dispose();
    const coverage = F.avgPool1d(mask, { kernelSize: 3 * s, stride: s }); // [N, 1, L'/S − 2]: coverage per position
    if (mask !== inputMask) mask.dispose();
    const keep = coverage.ge(this.config.maskThreshold); // [N, 1, T] bool
    // A record covering less than `maskThreshold` of every window (shorter than about 1.5·S samples)
    // would pool nothing and get the bias alone as logits: refuse rather than answer silently.
    if (keep.sum(2).min().item() === 0) {
      throw new ArgumentError(
        `MaLiangNet: a record has no position with mask coverage >= ${this.config.maskThreshold} (it is shorter than about ` +
          `${Math.ceil(1.5 * s)} samples, 1.5 × the total stride); use fewer blocks (a smaller stride) or longer records`,
      );
    }
    return { map, keep, coverage };
  }

  /** The linear head `[N, C]` (or `[N, T, C]`) → logits (Ma & Liang's last layer). */
  get head(): nn.Module & { call(x: Tensor): Tensor } {
    return this.layer(this.stages + 1);
  }

  /** Logits `[N, classes]` of a batch `x` `[N, leads, L]` in model units with its mask `[N, 1, L]` (1 = real sample). */
  classify(x: Tensor, mask: Tensor): Tensor {
    const { map, keep, coverage } = this.features(x, mask); // [N, C, T], [N, 1, T], [N, 1, T]
    const head = this.head;
    if (this.config.pooling === 'avg') {
      const m = coverage.mul(keep.to(coverage.dtype)); // coverage kept as a weight, zero below the threshold (as their code)
      const pooled = map.mul(m).sum(2).div(m.sum(2).add(1e-8)); // [N, C]
      return head.call(pooled);
    }
    // Max over time of per-position logits. Their code leaves padded positions in the max, which makes
    // a record's logits depend on its batch; here those positions are excluded.
    const z = head.call(map.permute(0, 2, 1)); // [N, T, K]
    const keepT = keep.permute(0, 2, 1); // [N, T, 1]
    return z.where(keepT, Number.NEGATIVE_INFINITY).max(1); // [N, K]
  }
}
