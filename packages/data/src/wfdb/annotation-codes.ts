// The standard MIT annotation codes (WFDB's ecgcodes.h): code, mnemonic symbol as printed by rdann,
// and description. Codes 0..49 fit in the 6-bit code field; 59..63 are reserved for SKIP, NUM, SUB,
// CHN and AUX. Codes with no entry print as `[n]`, as rdann does.

export interface AnnotationCode {
  code: number;
  symbol: string;
  name: string;
  description: string;
}

const rows: [number, string, string, string][] = [
  [0, ' ', 'NOTQRS', 'Not-QRS (not a getann/putann code)'],
  [1, 'N', 'NORMAL', 'Normal beat'],
  [2, 'L', 'LBBB', 'Left bundle branch block beat'],
  [3, 'R', 'RBBB', 'Right bundle branch block beat'],
  [4, 'a', 'ABERR', 'Aberrated atrial premature beat'],
  [5, 'V', 'PVC', 'Premature ventricular contraction'],
  [6, 'F', 'FUSION', 'Fusion of ventricular and normal beat'],
  [7, 'J', 'NPC', 'Nodal (junctional) premature beat'],
  [8, 'A', 'APC', 'Atrial premature contraction'],
  [9, 'S', 'SVPB', 'Premature or ectopic supraventricular beat'],
  [10, 'E', 'VESC', 'Ventricular escape beat'],
  [11, 'j', 'NESC', 'Nodal (junctional) escape beat'],
  [12, '/', 'PACE', 'Paced beat'],
  [13, 'Q', 'UNKNOWN', 'Unclassifiable beat'],
  [14, '~', 'NOISE', 'Signal quality change'],
  [16, '|', 'ARFCT', 'Isolated QRS-like artifact'],
  [18, 's', 'STCH', 'ST change'],
  [19, 'T', 'TCH', 'T-wave change'],
  [20, '*', 'SYSTOLE', 'Systole'],
  [21, 'D', 'DIASTOLE', 'Diastole'],
  [22, '"', 'NOTE', 'Comment annotation'],
  [23, '=', 'MEASURE', 'Measurement annotation'],
  [24, 'p', 'PWAVE', 'P-wave peak'],
  [25, 'B', 'BBB', 'Left or right bundle branch block'],
  [26, '^', 'PACESP', 'Non-conducted pacer spike'],
  [27, 't', 'TWAVE', 'T-wave peak'],
  [28, '+', 'RHYTHM', 'Rhythm change'],
  [29, 'u', 'UWAVE', 'U-wave peak'],
  [30, '?', 'LEARN', 'Learning'],
  [31, '!', 'FLWAV', 'Ventricular flutter wave'],
  [32, '[', 'VFON', 'Start of ventricular flutter/fibrillation'],
  [33, ']', 'VFOFF', 'End of ventricular flutter/fibrillation'],
  [34, 'e', 'AESC', 'Atrial escape beat'],
  [35, 'n', 'SVESC', 'Supraventricular escape beat'],
  [36, '@', 'LINK', 'Link to external data (aux contains URL)'],
  [37, 'x', 'NAPC', 'Non-conducted P-wave (blocked APB)'],
  [38, 'f', 'PFUS', 'Fusion of paced and normal beat'],
  [39, '(', 'WFON', 'Waveform onset'],
  [40, ')', 'WFOFF', 'Waveform end'],
  [41, 'r', 'RONT', 'R-on-T premature ventricular contraction'],
];

/** Standard codes by number. */
export const ANNOTATION_CODES: ReadonlyMap<number, AnnotationCode> = new Map(
  rows.map(([code, symbol, name, description]) => [code, { code, symbol, name, description }]),
);

const bySymbol = new Map(rows.filter(([c]) => c !== 0).map(([code, symbol]) => [symbol, code]));

/** Largest annotation code that fits the 6-bit field without colliding with SKIP..AUX (WFDB's ACMAX). */
export const ACMAX = 49;

/** The symbol rdann prints for a code (`[n]` for codes with no mnemonic). */
export function symbolOf(code: number): string {
  return ANNOTATION_CODES.get(code)?.symbol ?? `[${code}]`;
}

/** The code of a symbol (`N` → 1, `[45]` → 45), or undefined if it is not a known symbol. */
export function codeOf(symbol: string): number | undefined {
  const c = bySymbol.get(symbol);
  if (c !== undefined) return c;
  const m = /^\[(\d+)\]$/.exec(symbol);
  return m ? Number(m[1]) : undefined;
}
