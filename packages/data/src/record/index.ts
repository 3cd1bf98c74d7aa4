export { checkFinite, checkRecord, invalidFraction, millivoltsPer, recordLength, type EcgRecord, type RecordMeta } from './record.js';
export { readRecord, type ReadRecordOptions } from './read.js';
export { readCpscMat, cpscMatMeta, CPSC2018_MAT_LEADS } from './cpsc-mat.js';
