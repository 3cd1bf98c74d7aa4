// Sequential, ModuleList, ModuleDict: children held in order, named by position or key as in PyTorch
// ('0', '1', ... and the dict's own keys, not converted to snake_case).
import { TorchError, type Tensor } from './core.js';
import { Module } from './module.js';
import { pipe } from './pipe.js';

function checkModule(fn: string, what: string, m: unknown): Module {
  if (!(m instanceof Module)) throw new TorchError('ARGUMENT', `${fn}: ${what} must be an nn.Module, got ${m === null ? 'null' : typeof m}`);
  return m;
}

/** Children listed by index. */
export class ModuleList<M extends Module = Module> extends Module implements Iterable<M> {
  readonly #items: M[] = [];

  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.push(m);
  }

  protected override ownFields(): [string, unknown][] {
    return this.#items.map((m, i) => [String(i), m]);
  }

  protected override stateName(field: string): string {
    return field;
  }

  push(...modules: M[]): this {
    modules.forEach((m, i) => this.#items.push(checkModule('ModuleList.push', `module ${i}`, m) as M));
    return this;
  }

  /** The i-th module; negative i counts from the end. */
  at(i: number): M {
    const m = this.#items.at(i);
    if (m === undefined) throw new TorchError('ARGUMENT', `ModuleList.at: index ${i} out of range for length ${this.#items.length}`);
    return m;
  }

  get length(): number {
    return this.#items.length;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.#items[Symbol.iterator]();
  }

  forward(): never {
    throw new TorchError('ARGUMENT', 'ModuleList.forward: a ModuleList has no forward; iterate its modules');
  }
}

/**
 * Calls its modules in order, each on the previous one's output.
 * @example const head = new nn.Sequential(new nn.AdaptiveAvgPool1d(1), new nn.Flatten(), new nn.Linear(512, 9));
 */
export class Sequential extends Module implements Iterable<Module> {
  readonly #items: Module[];

  constructor(...modules: Module[]) {
    super();
    this.#items = modules.map((m, i) => checkModule('Sequential', `module ${i}`, m));
  }

  protected override ownFields(): [string, unknown][] {
    return this.#items.map((m, i) => [String(i), m]);
  }

  protected override stateName(field: string): string {
    return field;
  }

  at(i: number): Module {
    const m = this.#items.at(i);
    if (m === undefined) throw new TorchError('ARGUMENT', `Sequential.at: index ${i} out of range for length ${this.#items.length}`);
    return m;
  }

  get length(): number {
    return this.#items.length;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.#items[Symbol.iterator]();
  }

  /** Intermediate outputs are disposed as soon as the next module has used them (see pipe.ts). */
  forward(x: Tensor): Tensor {
    return pipe(x, ...this.#items.map((m) => (t: Tensor) => (m.forward as (a: Tensor) => Tensor).call(m, t)));
  }
}

/** Children by string key, in insertion order. */
export class ModuleDict<M extends Module = Module> extends Module {
  readonly #items = new Map<string, M>();

  constructor(modules: Record<string, M> | Iterable<[string, M]> = {}) {
    super();
    const entries = Symbol.iterator in modules ? [...(modules as Iterable<[string, M]>)] : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
  }

  protected override ownFields(): [string, unknown][] {
    return [...this.#items.entries()];
  }

  protected override stateName(field: string): string {
    return field;
  }

  set(key: string, module: M): this {
    if (typeof key !== 'string' || key === '' || key.includes('.')) {
      throw new TorchError('ARGUMENT', `ModuleDict.set: key must be a non-empty string without '.', got ${JSON.stringify(key)}`);
    }
    this.#items.set(key, checkModule('ModuleDict.set', `'${key}'`, module) as M);
    return this;
  }

  get(key: string): M {
    const m = this.#items.get(key);
    if (m === undefined) throw new TorchError('ARGUMENT', `ModuleDict.get: no module '${key}'; keys are ${[...this.#items.keys()].join(', ')}`);
    return m;
  }

  has(key: string): boolean {
    return this.#items.has(key);
  }

  keys(): string[] {
    return [...this.#items.keys()];
  }

  entries(): [string, M][] {
    return [...this.#items.entries()];
  }

  get size(): number {
    return this.#items.size;
  }

  forward(): never {
    throw new TorchError('ARGUMENT', 'ModuleDict.forward: a ModuleDict has no forward; call its modules');
  }
}
