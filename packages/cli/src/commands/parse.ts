import { Option } from 'commander';
import { UsageError } from '../errors.js';

/**
 * A comma-separated list of finite numbers, e.g. `--eps 0.001,0.01`; anything else is a UsageError naming the option.
 *
 * @example numberList('--eps', '0.001,0.01'); // [0.001, 0.01]
 */
export function numberList(option: string, text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  const bad = parts.findIndex((s, i) => s === '' || !Number.isFinite(values[i]));
  if (bad >= 0) throw new UsageError(`${option}: expected comma-separated numbers, got '${parts[bad]}' in '${text}'`);
  return values;
}

/**
 * One number within [min, max] (integers only when `integer`), e.g. `--steps 100`.
 *
 * @example numberArg('--steps', '100', { min: 1, integer: true }); // 100
 */
export function numberArg(option: string, text: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
  const v = Number(text);
  const { min = -Infinity, max = Infinity, integer = false } = opts;
  if (text.trim() === '' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    const range = `${integer ? 'an integer' : 'a number'}${min > -Infinity ? ` >= ${min}` : ''}${max < Infinity ? ` <= ${max}` : ''}`;
    throw new UsageError(`${option}: expected ${range}, got '${text}'`);
  }
  return v;
}

/**
 * `--threads <n>` of the commands that run a model. Several processes with every core each on the same cores
 * are many times slower than with one thread each (OpenMP workers spin while they wait for a core).
 */
export function threadsOption(): Option {
  return new Option('--threads <n>', 'libtorch threads (default: $ECGLAB_NUM_THREADS, else one per core; 1 when other jobs share the cores)');
}

/** The `--threads` value checked (undefined when not given), before anything is loaded. */
export function threadsArg(text: string | undefined): number | undefined {
  return text === undefined ? undefined : numberArg('--threads', text, { min: 1, max: 1024, integer: true });
}
