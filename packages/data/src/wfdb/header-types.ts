/** One signal line of a WFDB header (header(5)), with defaults filled in as the spec gives them. */
export interface SignalSpec {
  /** Signal file name, relative to the header's directory (e.g. `100.dat`, `A0001.mat`). */
  fileName: string;
  /** Storage format code: 8, 16, 24, 32, 61, 80, 160, 212, 310, 311 (508/516/524 are FLAC). */
  fmt: number;
  /** Samples of this signal in each frame (`xN`); 1 unless the header says otherwise. */
  sampsPerFrame: number;
  /** Frames by which this signal's samples are delayed in the file (`:N`); 0 by default. */
  skew: number;
  /** Bytes to skip at the start of the signal file (`+N`); 0 by default. */
  byteOffset: number;
  /** ADC units per physical unit as written; 0 (or absent) means uncalibrated, converted with 200. */
  adcGain: number;
  /** Digital value of physical zero (`(N)` after the gain); defaults to `adcZero`. */
  baseline: number;
  /** Physical units (`/units` after the gain); `mV` by default. */
  units: string;
  /** ADC resolution in bits; 0 if absent (the format's default applies). */
  adcRes: number;
  /** ADC value at the centre of its range; 0 if absent. */
  adcZero: number;
  /** Value of the first sample (used to integrate format 8); defaults to `adcZero`. */
  initValue: number;
  /** 16-bit sum of all samples as written (signed or unsigned); undefined when the field is absent. */
  checksum: number | undefined;
  /** Block size in bytes (0 for ordinary files). */
  blockSize: number;
  /** Free text after the block size (the signal's name, e.g. `MLII`); may contain spaces. */
  description: string;
}

/** One segment of a multi-segment record: a record name (or `~` for a gap) and its length. */
export interface SegmentSpec {
  name: string;
  sigLen: number;
}

/** What the `#` comment lines say in the common `key: value` forms (PhysioNet challenges, LUDB, PTB). */
export interface CommentInfo {
  age?: number;
  /** `M` or `F` when the comment says so (Male/female/M/F); the raw text is in `fields`. */
  sex?: 'M' | 'F';
  /** Diagnoses from `Dx:` (SNOMED-CT codes or abbreviations), comma-separated in the header. */
  dx?: string[];
  /** Every `key: value` (or `<key>: value`) pair found, keys lower-cased. */
  fields: Record<string, string>;
}

/** A parsed WFDB header (.hea), single- or multi-segment. */
export interface WfdbHeader {
  recordName: string;
  nSig: number;
  /** Sampling frequency in frames per second (250 when absent, as header(5) says). */
  fs: number;
  /** Counter frequency (`fs/cfreq`); undefined when absent. */
  counterFreq: number | undefined;
  /** Base counter value (`(base)` after the counter frequency); undefined when absent. */
  baseCounter: number | undefined;
  /** Samples per signal (frames); undefined when the header omits it (e.g. `100-no-len`). */
  sigLen: number | undefined;
  /** Base time as written (`HH:MM:SS[.sss]`), undefined when absent. */
  baseTime: string | undefined;
  /** Base date as written (`DD/MM/YYYY`), undefined when absent. */
  baseDate: string | undefined;
  signals: SignalSpec[];
  /** Present only for multi-segment records (`name/n` on the record line). */
  segments: SegmentSpec[] | undefined;
  /** Text of each `#` line, without the `#`, in file order. */
  comments: string[];
  /** Parsed view of the comments (age, sex, Dx). */
  info: CommentInfo;
  /** Non-fatal oddities (e.g. a non-standard base time) that did not stop parsing. */
  warnings: string[];
}
