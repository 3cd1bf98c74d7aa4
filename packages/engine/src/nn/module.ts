// nn.Module: parameters, buffers and sub-modules found by attribute, named the way PyTorch names them.
//
// Registration: assigning an nn.Parameter or a Module to a field registers it (PyTorch's __setattr__),
// read back in field order; buffers need registerBuffer (a plain tensor field is not state, as in PyTorch).
// Names: state-dict names are the fields' names in snake_case (runningMean → running_mean,
// outProj → out_proj), so that TS modules and PyTorch modules exchange safetensors files unchanged.
import { Tensor, noGrad, TorchError, type DType, type Device } from './core.js';
import { Parameter, isParameter } from './parameter.js';

export type StateDict = Map<string, Tensor>;

export interface LoadStateDictOptions {
  /** Every key must match exactly (PyTorch's default). With false, missing/unexpected keys are skipped. */
  strict?: boolean;
}

/** Keys reported by loadStateDict when strict is false. */
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** camelCase field name → PyTorch's snake_case (digits stay: conv1x1 → conv1x1). */
export function toSnakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

type Entry = { kind: 'param'; value: Parameter } | { kind: 'buffer'; value: Tensor; persistent: boolean } | { kind: 'module'; value: Module };

export abstract class Module {
  #training = true;
  // Field names of buffers, and which of them stay out of the state dict.
  readonly #buffers = new Set<string>();
  readonly #nonPersistent = new Set<string>();

  abstract forward(...args: never[]): unknown;

  /** Same as forward (PyTorch's __call__). */
  call(...args: Parameters<this['forward']>): ReturnType<this['forward']> {
    return (this.forward as (...a: unknown[]) => ReturnType<this['forward']>)(...args);
  }

  get training(): boolean {
    return this.#training;
  }

  /** Field names and values in registration order; containers override this. */
  protected ownFields(): [string, unknown][] {
    return Object.keys(this).map((k) => [k, (this as Record<string, unknown>)[k]]);
  }

  /** Name in the state dict for a field; containers keep their keys as given. */
  protected stateName(field: string): string {
    return toSnakeCase(field);
  }

  // The module's own parameters, buffers and children, keyed by state-dict name.
  #entries(): [string, Entry][] {
    const out: [string, Entry][] = [];
    const seen = new Map<string, string>();
    for (const [field, value] of this.ownFields()) {
      if (value === null || value === undefined) continue;
      let entry: Entry;
      if (this.#buffers.has(field) && value instanceof Tensor) {
        entry = { kind: 'buffer', value, persistent: !this.#nonPersistent.has(field) };
      } else if (isParameter(value)) {
        entry = { kind: 'param', value };
      } else if (value instanceof Module) {
        entry = { kind: 'module', value };
      } else {
        continue;
      }
      const name = this.stateName(field);
      const other = seen.get(name);
      if (other !== undefined) {
        throw new TorchError('ARGUMENT', `${this.constructor.name}: fields '${other}' and '${field}' both map to state name '${name}'`);
      }
      seen.set(name, field);
      out.push([name, entry]);
    }
    return out;
  }

  #checkName(fn: string, name: string): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      throw new TorchError('ARGUMENT', `${fn}: 'name' must be a non-empty string without '.', got ${JSON.stringify(name)}`);
    }
  }

  /** Register (or with null, clear) a parameter under field `name`. */
  registerParameter(name: string, param: Parameter | null): void {
    this.#checkName('registerParameter', name);
    if (param !== null && !isParameter(param)) {
      throw new TorchError('ARGUMENT', `registerParameter: '${name}' must be an nn.Parameter (wrap it: new nn.Parameter(t)) or null`);
    }
    this.#buffers.delete(name);
    (this as Record<string, unknown>)[name] = param;
  }

  /** Register a buffer: state that is saved and moved with the module but not trained (e.g. running means). */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    this.#checkName('registerBuffer', name);
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new TorchError('ARGUMENT', `registerBuffer: '${name}' must be a Tensor or null, got ${typeof tensor}`);
    }
    this.#buffers.add(name);
    if (persistent) this.#nonPersistent.delete(name);
    else this.#nonPersistent.add(name);
    (this as Record<string, unknown>)[name] = tensor;
  }

  registerModule(name: string, module: Module | null): void {
    this.#checkName('registerModule', name);
    if (module !== null && !(module instanceof Module)) {
      throw new TorchError('ARGUMENT', `registerModule: '${name}' must be an nn.Module or null`);
    }
    this.#buffers.delete(name);
    (this as Record<string, unknown>)[name] = module;
  }

  /** [name, child] for direct sub-modules. */
  namedChildren(): [string, Module][] {
    return this.#entries().flatMap(([n, e]) => (e.kind === 'module' ? [[n, e.value] as [string, Module]] : []));
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every descendant, depth first, each once: ['', this], ['layer1', ...], ['layer1.0', ...]. */
  namedModules(prefix = '', seen = new Set<Module>()): [string, Module][] {
    if (seen.has(this)) return [];
    seen.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const [n, m] of this.namedChildren()) out.push(...m.namedModules(prefix ? `${prefix}.${n}` : n, seen));
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  // Own tensors of one kind, then each child's, with dotted names; shared tensors are listed once.
  #named(kind: 'param' | 'buffer', persistentOnly: boolean, dedupe: boolean): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [n, e] of m.#entries()) {
        if (e.kind !== kind) continue;
        if (e.kind === 'buffer' && persistentOnly && !e.persistent) continue;
        if (dedupe && seen.has(e.value)) continue;
        seen.add(e.value);
        out.push([prefix ? `${prefix}.${n}` : n, e.value]);
      }
    }
    return out;
  }

  /** [dotted name, parameter] in PyTorch's order, e.g. ['layer1.0.conv1.weight', p]. */
  namedParameters(): [string, Parameter][] {
    return this.#named('param', false, true) as [string, Parameter][];
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(): [string, Tensor][] {
    return this.#named('buffer', false, true);
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /**
   * Parameters and persistent buffers by dotted name, in PyTorch's order (per module: parameters, then
   * buffers, then children). Values are the module's own tensors, not copies: do not dispose them.
   * @example safetensors.save('model.safetensors', model.stateDict())
   */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    for (const [prefix, m] of this.namedModules()) {
      const own = m.#entries();
      for (const kind of ['param', 'buffer'] as const) {
        for (const [n, e] of own) {
          if (e.kind !== kind || (e.kind === 'buffer' && !e.persistent)) continue;
          out.set(prefix ? `${prefix}.${n}` : n, e.value);
        }
      }
    }
    return out;
  }

  /**
   * Copy values into this module's parameters and buffers (converting dtype as PyTorch's copy_ does).
   * Everything is checked before anything is copied, so a failed load leaves the module unchanged.
   * @example model.loadStateDict(safetensors.load('model.safetensors').tensors)
   */
  loadStateDict(state: Map<string, Tensor> | Record<string, Tensor>, options: LoadStateDictOptions = {}): LoadResult {
    const strict = options.strict ?? true;
    const given = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict();
    const missingKeys = [...own.keys()].filter((k) => !given.has(k));
    const unexpectedKeys = [...given.keys()].filter((k) => !own.has(k));
    const problems: string[] = [];
    for (const [k, t] of own) {
      const src = given.get(k);
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) problems.push(`'${k}' is not a Tensor`);
      else if (src.shape.join(',') !== t.shape.join(',')) {
        problems.push(`'${k}' has shape [${src.shape.join(', ')}] in the state dict, the module expects [${t.shape.join(', ')}]`);
      }
    }
    if (strict) {
      if (missingKeys.length) problems.push(`missing keys: ${missingKeys.map((k) => `'${k}'`).join(', ')}`);
      if (unexpectedKeys.length) problems.push(`unexpected keys: ${unexpectedKeys.map((k) => `'${k}'`).join(', ')}`);
    }
    if (problems.length) {
      throw new TorchError('ARGUMENT', `loadStateDict (${this.constructor.name}): ${problems.join('; ')}`);
    }
    noGrad(() => {
      for (const [k, t] of own) {
        const src = given.get(k);
        if (src !== undefined && src !== t) t.copy_(src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Recursively set training mode (dropout active, batch norm using batch statistics). */
  train(mode = true): this {
    for (const m of this.modules()) m.#training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Turn gradients on or off for every parameter, e.g. to freeze a pretrained backbone. */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  /** Call `fn` on every sub-module, children first, then this one (PyTorch's apply). */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Drop every parameter's gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Convert floating-point parameters and buffers to `dtype` and/or move everything to `device`,
   * in place: the module's fields are replaced and the old tensors disposed (integer buffers such as
   * BatchNorm's num_batches_tracked keep their dtype, as in PyTorch).
   */
  to(target: DType | Device | { dtype?: DType; device?: Device }): this {
    const spec: { dtype?: DType; device?: Device } = typeof target !== 'string' ? target
      : /^(cpu|cuda)/.test(target) ? { device: target as Device } : { dtype: target as DType };
    const floats = new Set<DType>(['float32', 'float64']);
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [field, value] of m.ownFields()) {
          if (!(value instanceof Tensor) || !(isParameter(value) || m.#buffers.has(field))) continue;
          const dtype = spec.dtype !== undefined && floats.has(value.dtype) ? spec.dtype : value.dtype;
          const device = spec.device ?? value.device;
          if (dtype === value.dtype && device === value.device) continue;
          const moved = value.to({ dtype, device });
          m.replaceField(field, isParameter(value) ? new Parameter(moved, value.requiresGrad) : moved);
          value.dispose();
        }
      }
    });
    return this;
  }

  /** Overwrite one field's tensor (used by to()); containers override for their own storage. */
  protected replaceField(field: string, value: Tensor): void {
    (this as Record<string, unknown>)[field] = value;
  }

  /** Dispose every parameter and buffer of this module and its descendants. */
  dispose(): void {
    for (const t of [...this.parameters(), ...this.buffers()]) if (!t.isDisposed) t.dispose();
  }
}

