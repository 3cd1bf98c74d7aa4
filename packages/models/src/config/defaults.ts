import { MA_LIANG_DEFAULTS, XRESNET1D_DEFAULTS } from '../models/config.js';
import type { AnyModelConfig } from '../models/index.js';
import { VIZECG_IMAGE_ONLY_DEFAULTS, VIZECGNET_DEFAULTS } from '../vizecg/config.js';
import { objectiveDefaults } from '../objectives/index.js';
import type { DatasetConfig, InputConfig, RunConfig, ScheduleConfig } from './types.js';

/** Defaults of every field a config file may leave out; each carries its reason. */
export const RUN_DEFAULTS: Omit<RunConfig, 'name' | 'data'> = {
  seed: 1,
  // Two cores on the reference machine; Debian's libtorch starts with one (half the cores).
  threads: 2,
  input: inputDefaults('max-abs'),
  model: modelDefaults('ma-liang'),
  // Adam 3e-4: Ma & Liang's constant 1e-3 stayed near chance and failed a one-batch memorisation test in a PyTorch reference run.
  optimizer: { kind: 'adam', lr: 3e-4, weightDecay: 0, betas: [0.9, 0.999] },
  // Cosine decay reached CinC F1 ≈ 0.70 in the reference run where a constant rate did not learn.
  schedule: scheduleDefaults('cosine'),
  train: {
    epochs: 25,
    batchSize: 32,
    gradClip: 5,
    // Class-weighted cross-entropy: CinC 2017 is 59 % N and 3 % noisy.
    classWeights: 'balanced',
    sampling: 'shuffle',
    // Off by default: Ma & Liang batch records at random; on, CinC 2017 epochs pad far less.
    bucketByLength: false,
    monitor: 'cinc2017F1',
    patience: 0,
    selectFrom: 0,
    valFraction: 0.2,
    objective: objectiveDefaults('ce'),
    // An epoch of the 7,728-record CinC 2017 set takes minutes on 2 cores; a kill should cost less than that.
    checkpointMinutes: 10,
    precision: 'fp32',
  },
};

export function inputDefaults(kind: InputConfig['kind']): InputConfig {
  // 60 s covers every CinC 2017 record. Shifts of up to 10 s: Ma & Liang shift by up to 3072 samples (3 × the total stride).
  return { kind, leads: [0], maxSeconds: 60, maxShiftSeconds: 10 };
}

export function modelDefaults(kind: AnyModelConfig['kind']): AnyModelConfig {
  switch (kind) {
    case 'ma-liang':
      return structuredClone(MA_LIANG_DEFAULTS);
    case 'xresnet1d':
      return structuredClone(XRESNET1D_DEFAULTS);
    case 'vizecgnet':
      return structuredClone(VIZECGNET_DEFAULTS);
    case 'vizecg-image-only':
      return structuredClone(VIZECG_IMAGE_ONLY_DEFAULTS);
  }
}

export function scheduleDefaults(kind: ScheduleConfig['kind']): ScheduleConfig {
  return kind === 'cosine' ? { kind, warmupEpochs: 0, minLrFraction: 0 } : { kind, warmupEpochs: 0 };
}

export function dataDefaults(kind: DatasetConfig['kind']): DatasetConfig {
  // PTB-XL at 100 Hz with the 5 superclasses: the PTB-XL benchmark's most reported task.
  switch (kind) {
    case 'cinc2017':
      return { kind, path: '', limit: 0 };
    case 'ptbxl':
      return { kind, path: '', limit: 0, fs: 100, labels: 'superclass' };
    case 'cpsc2018':
      // Every label: the challenge's task (up to 3 per record).
      return { kind, path: '', limit: 0, labelMode: 'all' };
    case 'cinc2021':
      // The challenge ships its records in one subfolder per source.
      return { kind, path: '', limit: 0, recursive: true };
    case 'wfdb-folder':
      // The CSV layout @ecglab/data's WfdbFolder reads by default: `record,labels` with `;` between labels.
      return { kind, path: '', limit: 0, idColumn: 'record', labelColumn: 'labels', separator: ';', recursive: false };
  }
}
