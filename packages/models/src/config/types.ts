import type { AnyModelConfig } from '../models/index.js';
import type { PageConfig } from '../vizecg/pages.js';
import type { ObjectiveConfig } from '../objectives/index.js';

/** Where the records come from. A discriminated union: one variant per database adapter of @ecglab/data. */
export type DatasetConfig =
  | {
      kind: 'cinc2017';
      /**
       * Folder holding REFERENCE.csv and the .hea/.mat records. Relative paths resolve against the config file's
       * folder; `${ECGLAB_DATA}` stands for the data collection (the variable, else `../shared/data` beside the checkout).
       */
      path: string;
      /** Use only `limit` records of a seeded class-stratified order (tiny test runs); 0 = all. */
      limit: number;
    }
  | {
      kind: 'ptbxl';
      /** Folder holding ptbxl_database.csv, scp_statements.csv and records100/ or records500/. */
      path: string;
      limit: number;
      /** Sampling rate of the records to read. */
      fs: 100 | 500;
      /**
       * `superclass`: multi-label over the 5 diagnostic superclasses (sigmoid outputs);
       * `norm-vs-abnormal`: single-label NORM (only NORM) vs abnormal (any other superclass); records
       * without a diagnostic statement are left out.
       */
      labels: 'superclass' | 'norm-vs-abnormal';
      /**
       * Split by PTB-XL's official strat_fold (1..10) instead of a random `train.valFraction` split:
       * the standard is `{ train: [1..8], val: [9], test: [10] }`. Training reads only the train and
       * val folds; the test folds are named here for the record and evaluated with `ecglab eval`
       * (`ptbxl100:PATH:fold=10`). Absent: the stratified random split.
       */
      folds?: PtbxlFolds;
    }
  | Cpsc2018DataConfig
  | Cinc2021DataConfig
  | WfdbFolderDataConfig;

/**
 * Fields shared by the datasets read through a generic @ecglab/data adapter (cpsc2018, cinc2021,
 * wfdb-folder). Relative file paths resolve against the config file's folder, like `path`; left
 * out, they default to files inside `path`.
 */
interface AdapterDataFields {
  path: string;
  limit: number;
  /**
   * Resample every record to this rate (Hz, polyphase). Absent: all records must share one rate
   * (CPSC 2018 is all 500 Hz; CinC 2021 mixes 257, 500 and 1000 Hz and needs it).
   */
  fs?: number;
  /**
   * Lead names to read, in this order, matched case-insensitively against each record's own names
   * (so records storing leads in another order line up); `input.leads` indexes this list. Absent:
   * the standard 12 leads (cpsc2018, cinc2021) or the first record's leads (wfdb-folder).
   */
  leads?: string[];
}

/**
 * CPSC 2018, WFDB (CinC 2020) form and/or original `.mat` form; 9 classes, up to 3 per record: multi-label, or
 * Ma & Liang's single-label protocol (`labelMode: 'first'`, `perClassSplit`; configs/cpsc2018-maliang.yaml).
 */
export interface Cpsc2018DataConfig extends AdapterDataFields {
  kind: 'cpsc2018';
  /** REFERENCE.csv; default `<path>/REFERENCE.csv`. */
  reference?: string;
  /** Folder of the WFDB form; default `<path>/Training_WFDB` if present, else `path` itself if it holds `.hea` files. */
  wfdbDir?: string;
  /** Folder of the original `.mat` form; default `<path>/TrainingSet1` if present. */
  matDir?: string;
  /**
   * `all` (default): every label of a record, a multi-label (sigmoid) task. `first`: Ma & Liang's single-label
   * mode: a record's First_label, records with a Second_label dropped (6,400 of the 6,877 remain).
   */
  labelMode?: 'all' | 'first';
  /**
   * Ma & Liang's split (with `labelMode: 'first'`): per class, `val` records for validation and `test` held out
   * (written to the run's test-split.txt for `ecglab eval`, never read in training), the rest train; seeded by
   * `seed`. Theirs: 5 and 50. Replaces `train.valFraction`.
   */
  perClassSplit?: { val: number; test: number };
}

/** CinC 2020/2021 challenge records (SNOMED `#Dx`); the scored classes, equivalent pairs merged: multi-label. */
export interface Cinc2021DataConfig extends AdapterDataFields {
  kind: 'cinc2021';
  /** dx_mapping_scored.csv; default `<path>/dx_mapping_scored.csv`. */
  scored?: string;
  /** Records are searched in subfolders of `path` too (the challenge ships one folder per source). */
  recursive: boolean;
}

/** A folder of WFDB records with a labels CSV (`record,labels`, several labels `;`-separated). */
export interface WfdbFolderDataConfig extends AdapterDataFields {
  kind: 'wfdb-folder';
  /** The labels CSV; default `<path>/labels.csv`. */
  labels?: string;
  idColumn: string;
  labelColumn: string;
  separator: string;
  /** Class list in output order; default the sorted labels found. */
  classes?: string[];
  recursive: boolean;
  /** Default: single-label when every record has exactly one label, else multi-label. */
  task?: 'single-label' | 'multi-label';
}

/** PTB-XL strat_fold numbers (1..10) per split; no fold may appear twice. */
export interface PtbxlFolds {
  train: number[];
  val: number[];
  test: number[];
}

/** Input pipeline. `max-abs` is Ma & Liang's; `mv-zscore` is the conventional alternative. */
export type InputConfig =
  | {
      kind: 'max-abs';
      /** Indices of the leads to feed (CinC 2017 has one). */
      leads: number[];
      /** Records longer than this are truncated (training: a random window; evaluation: the start). */
      maxSeconds: number;
      /** In training each record starts at a random offset in [0, maxShiftSeconds] inside the zero-padded window (0 = off). */
      maxShiftSeconds: number;
    }
  | {
      kind: 'mv-zscore';
      leads: number[];
      maxSeconds: number;
      maxShiftSeconds: number;
    };

export type OptimizerConfig = {
  kind: 'adam' | 'adamw';
  /** 3e-4: Adam at Ma & Liang's 1e-3 stayed near chance on CinC 2017 in a PyTorch reference run (RESULTS.md). */
  lr: number;
  weightDecay: number;
  betas: [number, number];
};

export type ScheduleConfig =
  | { kind: 'constant'; warmupEpochs: number }
  | { kind: 'cosine'; warmupEpochs: number; /** Final lr as a fraction of lr. */ minLrFraction: number };

export type TrainConfig = {
  epochs: number;
  batchSize: number;
  /** Max global gradient norm; 0 disables clipping. */
  gradClip: number;
  /** `balanced`: weights n/(K·n_c) in the loss; `none`: plain loss. */
  classWeights: 'balanced' | 'none';
  /** `shuffle`: each epoch a seeded permutation; `balanced`: seeded class-balanced sampling with replacement. */
  sampling: 'shuffle' | 'balanced';
  /** Batch records of similar length together (less padding, faster epochs); the batch order stays random. */
  bucketByLength: boolean;
  /** Validation metric that picks the best epoch and drives early stopping. */
  monitor: 'cinc2017F1' | 'macroF1' | 'macroAuroc' | 'accuracy';

  /** Stop after this many epochs without improvement of `monitor`; 0 disables. */
  patience: number;
  /**
   * First epoch (0-based) whose model may be kept as the best (and from which `patience` counts), e.g. a
   * defence's start epoch, so that a defended run never keeps a model from before its defence began. 0: any.
   */
  selectFrom: number;
  /** Fraction of records held out for validation (stratified, seeded by `seed`); not used with `data.folds` or `valSplit`. */
  valFraction: number;
  /**
   * A file listing the validation records' ids, one per line (the rest train): a fixed split, e.g. to validate
   * runs on different training sets on the same records. Resolved like `data.path`.
   */
  valSplit?: string;
  /** The loss to minimise (see objectives/): `{ kind: 'ce' }` by default. */
  objective: ObjectiveConfig;
  /** Also checkpoint inside an epoch every this many minutes (0: at epoch ends only), so a kill loses little of a long epoch. */
  checkpointMinutes: number;
  /**
   * `bf16`: each train step's forward and loss run under the engine's CPU autocast (convolutions and matmuls in
   * bfloat16; weights, gradients and optimizer state stay float32, so no loss scaling). Validation, checkpoints
   * and the saved model are float32 either way. `fp32`: everything in float32.
   */
  precision: 'fp32' | 'bf16';
};

/** A training run's configuration, as validated from a JSON or YAML file. */
export interface RunConfig {
  name: string;
  seed: number;
  /** libtorch intra-op threads. */
  threads: number;
  data: DatasetConfig;
  input: InputConfig;
  /** A signal classifier, or VizECGNet (`vizecgnet`, `vizecg-image-only`), which also needs `pages`. */
  model: AnyModelConfig;
  /**
   * How VizECGNet's pages are drawn (vizecg/pages.ts: resolution, size, fit, channels, layouts, grids, the
   * training artefact mix, worker threads); stored in the model's inference spec. Only for VizECGNet models,
   * where it defaults to PAGE_DEFAULTS.
   */
  pages?: PageConfig;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  train: TrainConfig;
}
