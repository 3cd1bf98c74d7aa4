// @ecglab/data: ECG file formats (WFDB, MAT), databases, signal processing, noise and loading.
export * from './wfdb/index.js';
export * from './mat/index.js';
export * from './errors.js';
