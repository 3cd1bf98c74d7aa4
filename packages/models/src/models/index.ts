import type { nn, Tensor } from '@ecglab/engine';
import type { ModelConfig } from './config.js';
import { MaLiangNet } from './ma-liang.js';
import { XResNet1d } from './xresnet1d.js';

export { MaLiangNet, BasicBlock } from './ma-liang.js';
export { XResNet1d } from './xresnet1d.js';
export * from './config.js';

/**
 * What the trainer needs of a classifier: logits `[N, K]` from a zero-padded batch `x`
 * `[N, leads, L]` and its mask `[N, 1, L]`. Variable-length models pool under the mask;
 * fixed-length ones crop and aggregate inside.
 */
export type Classifier = nn.Module & {
  forward(x: Tensor, mask: Tensor): Tensor;
  /** Batches are padded to a multiple of this and to at least `minLength` samples. */
  readonly padMultiple: number;
  readonly minLength: number;
};

/** Builds the model a config names, for `leads` input leads, `classes` outputs and sampling rate `fs`. */
export function buildModel(config: ModelConfig, leads: number, classes: number, fs: number): Classifier {
  switch (config.kind) {
    case 'ma-liang':
      return new MaLiangNet(config, leads, classes);
    case 'xresnet1d':
      return new XResNet1d(config, leads, classes, fs);
  }
}
