export { checkFinite, checkRecord, invalidFraction, millivoltsPer, recordLength, type EcgRecord, type RecordMeta } from './record.js';
export { readRecord, readRecordSync, type ReadRecordOptions, type RecordReader } from './read.js';
export { readCpscMat, readCpscMatSync, cpscMatMeta, CPSC2018_MAT_LEADS } from './cpsc-mat.js';
export { RecordReadPool, type RecordReadPoolOptions } from './read-pool.js';
