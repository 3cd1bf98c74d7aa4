import { DataError } from '../errors.js';

/**
 * Errors of the signal-processing, noise, database and loader layers. A DataError (so callers
 * catch one type for the whole package) with a stable `code` per kind: E_DSP_ARG (bad argument),
 * E_DB (database files or labels), E_LOADER (batching/cache).
 */
export class DspError extends DataError {
  override readonly code: string;
  constructor(code: string, message: string, file?: string) {
    super(message, file);
    this.code = code;
  }
}

/** Throws a DspError with code `E_DSP_ARG` naming the function and argument. */
export function argError(fn: string, arg: string, problem: string): never {
  throw new DspError('E_DSP_ARG', `${fn}: '${arg}' ${problem}`);
}

export function checkFinitePositive(fn: string, arg: string, v: number): void {
  if (!Number.isFinite(v) || v <= 0) argError(fn, arg, `must be a finite number > 0, got ${v}`);
}

export function checkPositiveInt(fn: string, arg: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) argError(fn, arg, `must be an integer >= 1, got ${v}`);
}
