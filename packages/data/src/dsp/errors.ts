import { SignalArgumentError } from '../errors.js';

/** Throws a SignalArgumentError (code `E_DSP_ARG`) naming the function and argument. */
export function argError(fn: string, arg: string, problem: string): never {
  throw new SignalArgumentError(`${fn}: '${arg}' ${problem}`);
}

export function checkFinitePositive(fn: string, arg: string, v: number): void {
  if (!Number.isFinite(v) || v <= 0) argError(fn, arg, `must be a finite number > 0, got ${v}`);
}

export function checkPositiveInt(fn: string, arg: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) argError(fn, arg, `must be an integer >= 1, got ${v}`);
}
