// WFDB records: headers, signals (formats 8–311 and MAT v4 `16+24`), annotations, writers.
// Every reader is async (fs/promises); `rdheaderSync`/`rdrecordSync` exist for data loaders that
// decode inside worker threads or synchronous iterators, and behave identically.
export type { CommentInfo, SegmentSpec, SignalSpec, WfdbHeader } from './header-types.js';
export type { ChecksumStatus, RdrecordOptions, WfdbRecord } from './record-types.js';
export type { PhysicalArray } from './samples.js';
export { parseHeader, formatHeader, parseCommentInfo } from './header.js';
export { rdheader, rdheaderSync, rdrecord, rdrecordSync, type RdheaderOptions } from './rdrecord.js';
export { headerLines, type HeaderLines } from './header.js';
export type { ConfineOptions } from './paths.js';
export { toPhysical } from './record.js';
export { loadFlacDecoder, flacDecoderLoaded } from './flac.js';
export { FORMATS, FLAC_FORMATS, bytesFor, samplesIn, type FormatSpec } from './formats.js';
export { checksum16 } from './checksum.js';
export { wrsamp, wrsampSync, encodeRecord, fitGain, toDigital, type WrsampInput } from './wrsamp.js';
export { rdann, rdannSync, wrann, consumeHeaderAnnotations, decodeAnnotations, encodeAnnotations, type Annotation, type AnnotationInput, type RdannOptions } from './annotation.js';
export { ANNOTATION_CODES, ACMAX, codeOf, symbolOf, type AnnotationCode } from './annotation-codes.js';
