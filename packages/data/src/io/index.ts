export { atomicTempOf, processAlive, removeOrphanedTemps, writeFileAtomic, writeFileAtomicSync } from './atomic.js';
export { fileError, plainErrno } from './fs-error.js';
export { dataDir } from './data-dir.js';
export { acquireLock, describeHolder, FileLock, type LockHolder, type LockOptions } from './lock.js';
export { readRange, readRangeSync, readWhole, readWholeSync, type ByteRange } from './read.js';
export { encodeNpy, type NpyArray } from './npy.js';
export { convertRecord, summarizeRecord, type ConvertOptions, type ConvertResult, type RecordSummary, type SignalSummary } from './convert.js';
