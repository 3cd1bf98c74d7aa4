/**
 * Errors raised by @ecglab/data. Each class carries a stable `code` and a message that names the
 * file (and line or field) and says what was expected and what was found, e.g.
 * `A0001.hea line 3: gain 'abc' is not a number`. Callers catch `DataError` to handle any of them.
 */
export class DataError extends Error {
  readonly code: string = 'E_DATA';
  /** The file the problem was found in, when there is one. */
  readonly file: string | undefined;
  constructor(message: string, file?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.file = file;
  }
}

/** A WFDB header (.hea) that does not follow header(5): bad number, missing field, bad layout. */
export class HeaderError extends DataError {
  override readonly code = 'E_WFDB_HEADER';
}

/** A signal format the readers do not implement (e.g. FLAC 508/516/524) or do not know at all. */
export class UnsupportedFormatError extends DataError {
  override readonly code = 'E_WFDB_FORMAT';
}

/** A signal file that is missing, shorter than its header says, or otherwise unreadable. */
export class SignalFileError extends DataError {
  override readonly code = 'E_WFDB_SIGNAL';
}

/** The samples' 16-bit sum differs from the checksum recorded in the header. */
export class ChecksumError extends DataError {
  override readonly code = 'E_WFDB_CHECKSUM';
}

/** A requested sample range or channel that the record does not have. */
export class RangeRequestError extends DataError {
  override readonly code = 'E_RANGE';
}

/** A malformed MIT-format annotation file, or annotations that cannot be written. */
export class AnnotationError extends DataError {
  override readonly code = 'E_WFDB_ANNOTATION';
}

/** A file that is not a MATLAB v4/v5 MAT file, or uses a part of the format not supported. */
export class MatError extends DataError {
  override readonly code = 'E_MAT';
}

/** Invalid arguments to a writer (wrsamp, wrann, convert): the data cannot be stored as asked. */
export class WriteError extends DataError {
  override readonly code = 'E_WRITE';
}

/** A bad argument to a signal-processing, noise or sampling function: names the function and the argument. */
export class SignalArgumentError extends DataError {
  override readonly code = 'E_DSP_ARG';
}

/** A record that cannot be read as an ECG: unknown units, leads of different lengths, an unknown file kind. */
export class RecordError extends DataError {
  override readonly code = 'E_RECORD';
}

/** What a database adapter found wrong in its files: a missing file, a bad label row, an unknown record. */
export type DatabaseErrorCode = 'E_DB_FILE' | 'E_DB_LABEL' | 'E_DB_RECORD' | 'E_CSV' | 'E_NOISE_MISSING';

/** A database's files or labels: `code` says which kind of problem (see DatabaseErrorCode). */
export class DatabaseError extends DataError {
  override readonly code: DatabaseErrorCode;
  constructor(code: DatabaseErrorCode, message: string, file?: string) {
    super(message, file);
    this.code = code;
  }
}

/** The input pipeline: batching, caching, sampling. */
export class PipelineError extends DataError {
  override readonly code = 'E_PIPELINE';
}

/** An input that would exceed one of the limits of limits.ts (samples per read, file bytes, line length). */
export class LimitError extends DataError {
  override readonly code = 'E_LIMIT';
}

/**
 * A file that cannot be read, written or locked for a reason of the file system (full disk, read-only,
 * permissions...); `errno` keeps Node's code (`ENOSPC`, `EROFS`, ...). See io/fs-error.ts.
 */
export class FileError extends DataError {
  override readonly code = 'E_FILE';
  readonly errno: string;
  constructor(message: string, file: string, errno: string, options?: { cause?: unknown }) {
    super(message, file, options);
    this.errno = errno;
  }
}

/** A lock file held by another live process (see io/lock.ts); `holder` says which. */
export class LockError extends DataError {
  override readonly code = 'E_LOCK';
  readonly holder: { pid: number; host: string; started: string } | null;
  constructor(message: string, file: string, holder: { pid: number; host: string; started: string } | null) {
    super(message, file);
    this.holder = holder;
  }
}

/** A file named by a header or an argument that resolves outside the record's folder. */
export class PathError extends DataError {
  override readonly code = 'E_PATH';
}

/** The DataError classes whose constructor is `(message, file)`, by name. */
const BY_NAME: Record<string, new (message: string, file?: string) => DataError> = {
  DataError, HeaderError, UnsupportedFormatError, SignalFileError, ChecksumError, RangeRequestError, AnnotationError,
  MatError, WriteError, SignalArgumentError, RecordError, PipelineError, LimitError, PathError,
};

/**
 * Rebuilds an error that a worker thread sent as plain data (name, message, code, own fields: see
 * workers/protocol.ts) as the class the calling thread would have thrown, so that a read in a worker fails
 * exactly as the same read here: same class, message, `code`, `file`. Other errors come back as an Error with
 * the same name, message and fields.
 *
 * @example reviveDataError({ name: 'HeaderError', message: 'x.hea line 1: ...', fields: { file: 'x.hea' } }) // a HeaderError
 */
export function reviveDataError(e: { name: string; message: string; code?: string; fields?: Record<string, unknown> }): Error {
  const f = e.fields ?? {};
  const file = typeof f.file === 'string' ? f.file : undefined;
  switch (e.name) {
    case 'DatabaseError':
      return new DatabaseError(e.code as DatabaseErrorCode, e.message, file);
    case 'FileError':
      return new FileError(e.message, file ?? '', String(f.errno));
    case 'LockError':
      return new LockError(e.message, file ?? '', (f.holder ?? null) as LockError['holder']);
  }
  const Class = BY_NAME[e.name];
  if (Class !== undefined) return new Class(e.message, file);
  const err = Object.assign(new Error(e.message), f, e.code === undefined ? {} : { code: e.code });
  err.name = e.name;
  return err;
}
