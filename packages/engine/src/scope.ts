// Memory rules, written once: every tensor handle is counted while alive; `tidy(fn)` disposes the tensors
// created inside `fn` except those it returns or `keep()`s. Finalizers in the addon are only a safety net.
import { TorchError } from './errors.js';

/** What the scope needs from a tensor (kept minimal to avoid an import cycle with tensor.ts). */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

let live = 0;
const scopes: Set<Disposable>[] = [];

/** Called by the Tensor constructor. */
export function track(t: Disposable): void {
  live++;
  const top = scopes[scopes.length - 1];
  if (top !== undefined) top.add(t);
}

/** Called once by Tensor.dispose(). */
export function untrack(): void {
  live--;
}

/** Number of tensors created and not yet disposed (tensors owned by others, such as `.grad`, excluded). */
export function liveTensorCount(): number {
  return live;
}

/** Exempts `t` from disposal by the enclosing `tidy` calls; returns `t`. */
export function keep<T extends Disposable>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

function collect(value: unknown, out: Set<unknown>, seen: Set<unknown>, isTensor: (x: unknown) => boolean): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isTensor(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, seen, isTensor);
  else if (value instanceof Map) for (const v of value.values()) collect(v, out, seen, isTensor);
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, out, seen, isTensor);
  }
}

let isTensorFn: (x: unknown) => boolean = () => false;
/** tensor.ts registers its instanceof test here. */
export function setTensorTest(fn: (x: unknown) => boolean): void {
  isTensorFn = fn;
}

/**
 * Runs `fn` and disposes every tensor created inside it, except tensors in its result (directly, or inside
 * arrays, plain objects and Maps) and tensors passed to `keep()`. `fn` must be synchronous.
 *
 * @example
 * const before = liveTensorCount();
 * const y = tidy(() => x.mul(2).add(1).relu());  // the intermediates are gone, y survives
 * liveTensorCount() === before + 1;
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TorchError('ARGUMENT', `tidy: 'fn' must be a function, got ${typeof fn}`);
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) if (!t.isDisposed) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) if (!t.isDisposed) t.dispose();
    throw new TorchError('ARGUMENT', 'tidy: \'fn\' must be synchronous, got a function returning a Promise');
  }
  const survivors = new Set<unknown>();
  collect(result, survivors, new Set(), isTensorFn);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (survivors.has(t)) parent?.add(t);  // returned tensors belong to the enclosing tidy, if any
    else if (!t.isDisposed) t.dispose();
  }
  return result;
}

/**
 * A leak detector for step loops: call the returned `check()` once per step. When the live tensor count is
 * higher than at the previous check for `patience` checks in a row, `warn` is called once with the growth,
 * the sign of a tensor kept by mistake each step. On by default when ECGLAB_DEBUG_TENSORS=1 is set, so a user's
 * loop can be checked without touching it (the trainer, the Predictor and the attacks call it).
 *
 * @example const check = watchLiveTensors('train step'); for (...) { step(); check(); }
 */
export function watchLiveTensors(
  label: string,
  opts: { enabled?: boolean; patience?: number; warn?: (msg: string) => void } = {},
): () => void {
  const enabled = opts.enabled ?? process.env.ECGLAB_DEBUG_TENSORS === '1';
  if (!enabled) return () => {};
  const patience = opts.patience ?? 3;
  const warn = opts.warn ?? ((msg: string) => process.emitWarning(msg, 'EcglabTensorLeak'));
  let last = -1;
  let first = -1;
  let growing = 0;
  let warned = false;
  return () => {
    const now = live;
    if (last >= 0 && now > last) {
      if (growing === 0) first = last;
      growing++;
    } else growing = 0;
    last = now;
    if (growing >= patience && !warned) {
      warned = true;
      warn(`${label}: the live tensor count grew for ${growing} steps in a row (${first} → ${now}); a tensor is kept each step (use tidy, nn.pipe or 'using')`);
    }
  };
}
