import type { ModelConfig } from './config.js';
import type { EcgClassifier } from './classifier.js';
import type { InputNormKind } from './input-norm.js';
import { MaLiangNet } from './ma-liang.js';
import { XResNet1d } from './xresnet1d.js';

export { MaLiangNet, BasicBlock } from './ma-liang.js';
export { XResNet1d } from './xresnet1d.js';
export * from './config.js';
export { EcgClassifier, type BatchModel } from './classifier.js';
export { InputNorm, INPUT_NORM_KINDS, type InputNormKind } from './input-norm.js';

/** Every signal classifier is an EcgClassifier. */
export type Classifier = EcgClassifier;

/**
 * Builds the model a config names, for `leads` input leads, `classes` outputs, sampling rate `fs` and input
 * scaling `norm` (the model's first stage).
 */
export function buildModel(config: ModelConfig, leads: number, classes: number, fs: number, norm: InputNormKind): Classifier {
  switch (config.kind) {
    case 'ma-liang':
      return new MaLiangNet(config, leads, classes, norm);
    case 'xresnet1d':
      return new XResNet1d(config, leads, classes, fs, norm);
  }
}
