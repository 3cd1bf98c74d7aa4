export type { Signal } from './types.js';
export { signalShape } from './types.js';
export { besselI0, kaiser, firwinLowpass } from './fir.js';
export { resamplePoly, resampleSignal, rateRatio, outputLength } from './resample.js';
export { butter, iirnotch, zpk2sos, type Sos, type BandType } from './butter.js';
export { lfilter, lfilterZi, sosfilt, sosfiltZi, sosfiltfilt, filtfilt, oddExtend } from './filtfilt.js';
export { medfilt } from './medfilt.js';
export { removeBaseline, type BaselineMethod } from './baseline.js';
export { STANDARD_12, leadKey, canonicalLead, leadIndices, selectLeads } from './leads.js';
