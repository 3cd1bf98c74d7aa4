import { nn, type Tensor } from '@ecglab/engine';
import { ArgumentError } from '../errors.js';
import type { PageNetConfig } from './config.js';

/**
 * A ResNet basic block in 2-D: 3×3 (stride s) → BN → ReLU → 3×3 → BN, plus the shortcut, then ReLU. The
 * shortcut is a 1×1 strided projection with BN when the block changes width or resolution, else the identity.
 */
export class BasicBlock2d extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  conv2: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  shortcut: nn.Sequential | null;

  constructor(cin: number, cout: number, stride: number) {
    super();
    this.conv1 = new nn.Conv2d(cin, cout, 3, { stride, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(cout);
    this.conv2 = new nn.Conv2d(cout, cout, 3, { stride: 1, padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2d(cout);
    this.shortcut = cin !== cout || stride !== 1 ? new nn.Sequential(new nn.Conv2d(cin, cout, 1, { stride, bias: false }), new nn.BatchNorm2d(cout)) : null;
  }

  forward(x: Tensor): Tensor {
    const out = nn.pipe(x, (t) => this.conv1.forward(t), (t) => this.bn1.forward(t), (t) => t.relu(),
      (t) => this.conv2.forward(t), (t) => this.bn2.forward(t));
    const idt = this.shortcut ? this.shortcut.forward(x) : x;
    const y = nn.pipe(out, (t) => t.add(idt), (t) => t.relu());
    out.dispose();
    if (idt !== x) idt.dispose();
    return y;
  }
}

/**
 * VizECGNet's image stream: a small 2-D ResNet over a page, returning its last feature map, the token grid.
 *
 * - Input: `page` `[N, C, H, W]` in [0, 1] with 1 = white paper, as `renderToTensor` writes it. The network
 *   reads ink, `1 − page`: blank paper is then 0, the same as the convolutions' zero padding, so a page's
 *   border looks like more paper rather than a black frame.
 * - Stem: one `patch`×`patch` convolution with stride `patch` (a patch embedding) → BN → ReLU. Its cost does
 *   not grow with a kernel wider than the stride, and no pixel is skipped, so thin traces survive.
 * - One stage per entry of `widths`, each a stride-2 BasicBlock2d followed by `blocks[i] − 1` stride-1 ones.
 * - Output: `[N, widths.at(−1), H/(patch·2^stages), W/(...)]` (convolution arithmetic rounds each halving up).
 *
 * Cost (`pageNetMacs`) with the defaults (patch 4, stem 16, widths 32/64/128, one block each):
 * 440×340 (40 DPI letter, the training size): 107 M multiply-adds = 0.21 GFLOP per page forward, an 11×14 grid;
 * 662×512 (60 DPI): 236 M = 0.47 GFLOP, a 16×21 grid (counts checked against PyTorch hooks in page-net.test.ts).
 * Training costs about three times the forward.
 *
 * @example
 * const net = new PageNet(PAGE_NET_DEFAULTS);
 * const grid = net.call(page); // page [N, 1, 340, 440] → [N, 128, 11, 14]
 */
export class PageNet extends nn.Module {
  readonly config: PageNetConfig;
  stem: nn.Sequential;
  stages: nn.ModuleList;

  constructor(config: PageNetConfig) {
    super();
    checkPageNetConfig(config);
    this.config = config;
    const { channels, patch, stemWidth, widths, blocks } = config;
    this.stem = new nn.Sequential(
      new nn.Conv2d(channels, stemWidth, patch, { stride: patch, bias: false }),
      new nn.BatchNorm2d(stemWidth),
      new nn.ReLU(),
    );
    let cin = stemWidth;
    const stages: nn.Module[] = widths.map((cout, s) => {
      const layers = Array.from({ length: blocks[s]! }, (_, b) => new BasicBlock2d(b === 0 ? cin : cout, cout, b === 0 ? 2 : 1));
      cin = cout;
      return new nn.Sequential(...layers);
    });
    this.stages = new nn.ModuleList(stages);
  }

  /** Channels of the output grid (the token width). */
  get outChannels(): number {
    return this.config.widths.at(-1)!;
  }

  /** Total stride: output cell side in input pixels. */
  get stride(): number {
    return this.config.patch * 2 ** this.config.widths.length;
  }

  /** `page` `[N, C, H, W]` in [0, 1] (1 = paper) → feature grid `[N, widths.at(−1), h, w]`. */
  forward(page: Tensor): Tensor {
    const { channels, patch } = this.config;
    if (page.ndim !== 4 || page.shape[1] !== channels) {
      throw new ArgumentError(`PageNet: 'page' must be [N, ${channels}, H, W], got [${page.shape.join(', ')}]`);
    }
    if (page.shape[2]! < patch || page.shape[3]! < patch) {
      throw new ArgumentError(`PageNet: 'page' must be at least ${patch}×${patch} pixels (one stem patch), got ${page.shape[3]}×${page.shape[2]}`);
    }
    const steps = [
      (t: Tensor) => t.neg().add(1), // ink = 1 − page: paper 0, like the zero padding
      ...this.stem.children().map((m) => (t: Tensor) => (m as nn.Module & { forward(t: Tensor): Tensor }).forward(t)), // [N, stem, H/p, W/p]
      ...this.stages.children().map((m) => (t: Tensor) => (m as nn.Sequential).forward(t)), // each stage halves H and W
    ];
    return nn.pipe(page, ...steps);
  }
}

/** Throws an ArgumentError naming the field when a PageNet config is malformed. */
export function checkPageNetConfig(c: PageNetConfig): void {
  const posInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  if (c.channels !== 1 && c.channels !== 3) throw new ArgumentError(`PageNet: 'channels' must be 1 or 3, got ${String(c.channels)}`);
  for (const k of ['patch', 'stemWidth'] as const) {
    if (!posInt(c[k])) throw new ArgumentError(`PageNet: '${k}' must be a positive integer, got ${String(c[k])}`);
  }
  if (!Array.isArray(c.widths) || c.widths.length === 0 || !c.widths.every(posInt)) {
    throw new ArgumentError(`PageNet: 'widths' must be a non-empty list of positive integers, got ${JSON.stringify(c.widths)}`);
  }
  if (!Array.isArray(c.blocks) || c.blocks.length !== c.widths.length || !c.blocks.every(posInt)) {
    throw new ArgumentError(`PageNet: 'blocks' must list a positive block count for each of the ${c.widths.length} stages, got ${JSON.stringify(c.blocks)}`);
  }
}

/** Output side of a convolution (PyTorch's formula). */
const convOut = (n: number, k: number, s: number, p: number) => Math.floor((n + 2 * p - k) / s) + 1;

/**
 * Multiply-adds of one PageNet forward pass on one `height`×`width` page, counting convolutions (what
 * dominates; BN, ReLU and the additions add under 2 %), and the output grid. FLOPs ≈ 2 × MACs.
 *
 * @example pageNetMacs(PAGE_NET_DEFAULTS, 340, 440); // { macs: 106946048, grid: [11, 14] }
 */
export function pageNetMacs(c: PageNetConfig, height: number, width: number): { macs: number; grid: [number, number] } {
  checkPageNetConfig(c);
  let h = convOut(height, c.patch, c.patch, 0);
  let w = convOut(width, c.patch, c.patch, 0);
  let macs = h * w * c.stemWidth * c.channels * c.patch * c.patch;
  let cin = c.stemWidth;
  c.widths.forEach((cout, s) => {
    for (let b = 0; b < c.blocks[s]!; b++) {
      const stride = b === 0 ? 2 : 1;
      const bin = b === 0 ? cin : cout;
      h = convOut(h, 3, stride, 1);
      w = convOut(w, 3, stride, 1);
      macs += h * w * cout * (bin * 9 + cout * 9 + (b === 0 ? bin : 0)); // conv1, conv2, the 1×1 projection of a first block
    }
    cin = cout;
  });
  return { macs, grid: [h, w] };
}
