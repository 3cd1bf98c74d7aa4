import type { VizEcgConfig } from '../vizecg/config.js';
import { VizECGNet } from '../vizecg/vizecgnet.js';
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

/** A run config's `model`: a signal classifier, or VizECGNet (the image model trained with page and signal; vizecg/). */
export type AnyModelConfig = ModelConfig | VizEcgConfig;

/** The model of a config of any kind: a signal classifier or a VizECGNet. */
export type AnyModel = Classifier | VizECGNet;

/**
 * Builds the model a config names, for `leads` input leads, `classes` outputs, sampling rate `fs` and input
 * scaling `norm` (the model's first stage; VizECGNet's signal stream). A signal config gives a Classifier.
 */
export function buildModel(config: ModelConfig, leads: number, classes: number, fs: number, norm: InputNormKind): Classifier;
export function buildModel(config: VizEcgConfig, leads: number, classes: number, fs: number, norm: InputNormKind): VizECGNet;
export function buildModel(config: AnyModelConfig, leads: number, classes: number, fs: number, norm: InputNormKind): AnyModel;
export function buildModel(config: AnyModelConfig, leads: number, classes: number, fs: number, norm: InputNormKind): AnyModel {
  switch (config.kind) {
    case 'ma-liang':
      return new MaLiangNet(config, leads, classes, norm);
    case 'xresnet1d':
      return new XResNet1d(config, leads, classes, fs, norm);
    case 'vizecgnet':
    case 'vizecg-image-only':
      return new VizECGNet(config, leads, classes, norm);
  }
}
