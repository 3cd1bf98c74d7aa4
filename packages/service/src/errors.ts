/**
 * The service's one error class: a stable `code`, the HTTP status it is answered with, and a message that
 * names the upload, field or line and says what was expected and what was found. Raised anywhere below a
 * route and caught only where the request is answered (app.ts's onError).
 */
export type ServiceErrorCode =
  | 'BAD_REQUEST' // a field missing or malformed
  | 'UNSUPPORTED_TYPE' // an upload that is no record or image form the service reads
  | 'BAD_RECORD' // a record file that does not parse (header line, signal file, MAT struct, CSV cell)
  | 'BAD_ZIP' // a zip that does not parse, or holds entries with '..' or absolute names
  | 'ZIP_BOMB' // a zip whose entries inflate past the limits
  | 'TOO_LARGE' // the request body past its limit
  | 'BAD_IMAGE' // an image too small or not ECG-sized
  | 'NO_IMAGE_MODEL' // a photo, with no image model installed
  | 'WRONG_LEADS' // a record without the leads the model reads
  | 'NO_MODEL' // no model of that name, or none matching the record
  | 'QUEUE_FULL' // too many requests waiting for the worker
  | 'TIMEOUT' // the request ran past its time limit
  | 'SHUTTING_DOWN' // the service is draining
  | 'WORKER_RESTARTED' // the inference thread died and was started again: retry
  | 'NOT_FOUND'
  | 'INTERNAL';

const STATUS: Record<ServiceErrorCode, number> = {
  BAD_REQUEST: 400, UNSUPPORTED_TYPE: 415, BAD_RECORD: 422, BAD_ZIP: 422, ZIP_BOMB: 413, TOO_LARGE: 413,
  BAD_IMAGE: 422, NO_IMAGE_MODEL: 422, WRONG_LEADS: 422, NO_MODEL: 404,
  QUEUE_FULL: 503, TIMEOUT: 504, SHUTTING_DOWN: 503, WORKER_RESTARTED: 503, NOT_FOUND: 404, INTERNAL: 500,
};

export class ServiceError extends Error {
  readonly status: number;
  constructor(readonly code: ServiceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServiceError';
    this.status = STATUS[code];
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: ServiceErrorCode; message: string };
  requestId?: string;
}
