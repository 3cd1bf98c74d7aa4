// Loads the N-API addon and turns its exceptions into TorchError. Handles are opaque: only tensor.ts and the
// few modules that build tensors touch them.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TorchError } from './errors.js';

/** An opaque reference to a native at::Tensor. */
export type Handle = { readonly __torchHandle: unique symbol };

type NativeFn = (...args: unknown[]) => unknown;

const addonPath = fileURLToPath(new URL('../build/Release/ecglab_torch.node', import.meta.url));
if (!existsSync(addonPath)) {
  throw new TorchError('TORCH', `@ecglab/engine: native addon not built (${addonPath} is missing); ` +
    'run `npm run build:native`');
}
const addon = createRequire(import.meta.url)(addonPath) as Record<string, NativeFn>;

function translate(e: unknown): TorchError {
  if (e instanceof TorchError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (message.includes('is a disposed tensor')) return new TorchError('DISPOSED', message);
  // The addon raises TypeError for arguments of the wrong JS type; everything else is libtorch's own error.
  return new TorchError(e instanceof TypeError ? 'ARGUMENT' : 'TORCH', message);
}

/** Calls native function `name`; any exception becomes a TorchError. */
export function call(name: string, ...args: unknown[]): unknown {
  const fn = addon[name];
  if (fn === undefined) throw new TorchError('ARGUMENT', `native function '${name}' does not exist`);
  try {
    return fn(...args);
  } catch (e) {
    throw translate(e);
  }
}

/**
 * Calls native function `name` that returns a Promise (work done off the event loop); a synchronous throw or a
 * rejection becomes a TorchError.
 */
export async function callAsync(name: string, ...args: unknown[]): Promise<unknown> {
  const pending = call(name, ...args) as Promise<unknown>;
  try {
    return await pending;
  } catch (e) {
    throw translate(e);
  }
}
