// Optimizer state ↔ (named tensors, string metadata), so a checkpoint is one safetensors file:
// tensors under `optim.state.<param index>.<key>`, hyper-parameters and step counts as JSON metadata.
import { Tensor, TorchError } from './core.js';
import type { OptimizerStateDict, ParamState } from './optimizer.js';

const META_KEY = 'optim';

/**
 * @example
 * const { tensors, metadata } = optim.flattenState(opt.stateDict());
 * safetensors.save('ckpt.safetensors', new Map([...model.stateDict(), ...tensors]), metadata);
 */
export function flattenState(sd: OptimizerStateDict, prefix = 'optim.'): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const tensors = new Map<string, Tensor>();
  const numbers: Record<string, Record<string, number>> = {};
  for (const [i, s] of sd.state) {
    for (const [k, v] of Object.entries(s)) {
      if (v instanceof Tensor) tensors.set(`${prefix}state.${i}.${k}`, v);
      else (numbers[i] ??= {})[k] = v;
    }
  }
  return { tensors, metadata: { [`${prefix}${META_KEY}`]: JSON.stringify({ paramGroups: sd.paramGroups, numbers }) } };
}

/**
 * Inverse of flattenState: picks the `prefix` tensors out of a loaded file (others are ignored). The
 * returned state holds those same tensors; loadStateDict copies them, so dispose the loaded map after.
 */
export function unflattenState(tensors: Map<string, Tensor>, metadata: Record<string, string> | null, prefix = 'optim.'): OptimizerStateDict {
  const raw = metadata?.[`${prefix}${META_KEY}`];
  if (raw === undefined) throw new TorchError('ARGUMENT', `unflattenState: metadata has no '${prefix}${META_KEY}' entry (was the file written with flattenState?)`);
  const { paramGroups, numbers } = JSON.parse(raw) as { paramGroups: OptimizerStateDict['paramGroups']; numbers: Record<string, Record<string, number>> };
  const state = new Map<number, ParamState>();
  const at = (i: number) => {
    let s = state.get(i);
    if (s === undefined) state.set(i, (s = {}));
    return s;
  };
  for (const [i, nums] of Object.entries(numbers)) Object.assign(at(Number(i)), nums);
  const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}state\\.(\\d+)\\.(.+)$`);
  for (const [name, t] of tensors) {
    const m = re.exec(name);
    if (m) at(Number(m[1]))[m[2]!] = t;
  }
  return { state: new Map([...state].sort(([a], [b]) => a - b)), paramGroups };
}
