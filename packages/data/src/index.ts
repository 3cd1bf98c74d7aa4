// @ecglab/data: ECG file formats (WFDB, MAT), databases, signal processing, noise and loading.
export * from './wfdb/index.js';
export * from './record/index.js';
export * from './mat/index.js';
export * from './errors.js';
export { DEFAULT_LIMITS, dataLimits, type DataLimits } from './limits.js';
export * from './io/index.js';
export * from './dsp/index.js';
export * from './random/index.js';
export * from './noise/index.js';
export * from './databases/index.js';
export * from './pipeline/index.js';
export * from './workers/index.js';
/** A small WebAssembly assembler for numeric kernels (used here and by @ecglab/render). */
export * as wasm from './wasm/writer.js';
