/** Stable codes of engine errors: callers branch on `code`, people read `message`. */
export type TorchErrorCode =
  | 'TORCH' | 'SHAPE' | 'DTYPE' | 'DISPOSED' | 'ARGUMENT' | 'NONFINITE' | 'WORKER'
  | 'DISTRIBUTED'; // a process group failed: rendezvous, a peer that died, or a collective past its timeout

/**
 * The one error type of the engine. `TORCH` carries libtorch's own message (without its C++ backtrace);
 * the other codes come from argument checks in TypeScript and name the function and the argument:
 * `conv1d: 'weight' must have 3 dims, got [4, 3]`.
 */
export class TorchError extends Error {
  readonly code: TorchErrorCode;
  constructor(code: TorchErrorCode, message: string) {
    super(message);
    this.name = 'TorchError';
    this.code = code;
  }
}

/** Formats a shape the way messages show it: `[4, 3]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
