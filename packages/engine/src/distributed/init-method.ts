// Turns initProcessGroup's options and torchrun's environment into where to meet (a TCP store or a file) and who
// this process is, with torch.distributed's rules: explicit options win over the URL's query, which wins over the
// environment; env:// needs MASTER_ADDR and MASTER_PORT.
import { TorchError } from '../errors.js';

/** Collective backends. Gloo runs on CPU tensors; NCCL needs a CUDA build of libtorch (see API.md). */
export type Backend = 'gloo' | 'nccl';

export interface InitProcessGroupOptions {
  /** 'gloo' (default). 'nccl' is accepted as a name but needs a CUDA build of libtorch, which Debian does not ship. */
  backend?: Backend;
  /** 'env://' (default: torchrun's variables), 'tcp://host:port' or 'file:///path/to/store' (a shared file). */
  initMethod?: string;
  /** Number of processes in the group (default: `?world_size=` in the URL, else WORLD_SIZE). */
  worldSize?: number;
  /** This process's rank in [0, worldSize) (default: `?rank=` in the URL, else RANK). */
  rank?: number;
  /**
   * Milliseconds that the rendezvous and every collective may wait for the other ranks before failing
   * (default 1,800,000: PyTorch's 30 minutes). A rank that dies is noticed at once when its sockets close.
   */
  timeout?: number;
  /** Environment to read torchrun's variables from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** A resolved rendezvous: everything the native side needs, plus what torchrun says about this machine. */
export interface Rendezvous {
  backend: Backend;
  /** The init method as given, for messages. */
  initMethod: string;
  store: 'tcp' | 'file';
  /** Host of the TCP store (hosted by rank 0), or the store file's path. */
  address: string;
  /** Port of the TCP store (0 for a file store). */
  port: number;
  /** Whether this process serves the TCP store: rank 0, unless torchrun's agent serves it (TORCHELASTIC_USE_AGENT_STORE). */
  hostStore: boolean;
  /** Namespace of this group's keys in the store: torchrun's `/worker/attempt_<restart count>` under its agent, else ''. */
  storePrefix: string;
  rank: number;
  worldSize: number;
  /** Rank among the processes of this machine: LOCAL_RANK (torchrun sets it), else `rank`. */
  localRank: number;
  /** Processes on this machine: LOCAL_WORLD_SIZE (torchrun sets it), else `worldSize`. */
  localWorldSize: number;
  timeout: number;
}

/** PyTorch's default_pg_timeout. */
export const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;

const FN = 'initProcessGroup';

function fail(message: string): never {
  throw new TorchError('ARGUMENT', `${FN}: ${message}`);
}

function integer(value: string | number | undefined, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    fail(`${what} must be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}], got ${JSON.stringify(value)}`);
  }
  return n;
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) fail(message);
  return value;
}

/**
 * Resolves `opts` (and torchrun's variables) into a rendezvous, checking every field.
 * @example
 * resolveRendezvous({ initMethod: 'tcp://127.0.0.1:29500', rank: 0, worldSize: 2 });
 * // { store: 'tcp', address: '127.0.0.1', port: 29500, rank: 0, worldSize: 2, ... }
 */
export function resolveRendezvous(opts: InitProcessGroupOptions = {}): Rendezvous {
  const env = opts.env ?? process.env;
  const backend = opts.backend ?? 'gloo';
  if (backend !== 'gloo' && backend !== 'nccl') fail(`'backend' must be 'gloo' or 'nccl', got ${JSON.stringify(backend)}`);
  const initMethod = opts.initMethod ?? 'env://';
  if (typeof initMethod !== 'string') fail(`'initMethod' must be a string, got ${typeof initMethod}`);
  const timeout = integer(opts.timeout, "'timeout' (milliseconds)", 1) ?? DEFAULT_TIMEOUT_MS;

  let url: URL;
  try {
    url = new URL(initMethod);
  } catch {
    fail(`'initMethod' must be 'env://', 'tcp://host:port' or 'file:///path', got ${JSON.stringify(initMethod)}`);
  }
  const query = url.searchParams;
  const scheme = url.protocol.replace(/:$/, '');
  const fromEnv = scheme === 'env';
  const envNote = (v: string) => `the environment variable ${v} (torchrun sets it)`;

  const rank = integer(opts.rank, "'rank'", 0) ?? integer(query.get('rank') ?? undefined, "the URL's 'rank'", 0) ??
    integer(fromEnv ? env.RANK : undefined, 'RANK', 0);
  const worldSize = integer(opts.worldSize, "'worldSize'", 1) ??
    integer(query.get('world_size') ?? undefined, "the URL's 'world_size'", 1) ??
    integer(fromEnv ? env.WORLD_SIZE : undefined, 'WORLD_SIZE', 1);
  const needs = (what: string, v: string) => fromEnv ? `${what} or ${envNote(v)}` : `${what} or ?${v.toLowerCase()}= in the URL`;
  const r = required(rank, `${scheme}:// needs 'rank' (${needs("the option 'rank'", 'RANK')})`);
  const n = required(worldSize, `${scheme}:// needs 'worldSize' (${needs("the option 'worldSize'", 'WORLD_SIZE')})`);
  if (r >= n) fail(`'rank' must be below 'worldSize' (${n}), got ${r}`);

  let store: Rendezvous['store'];
  let address: string;
  let port: number;
  if (scheme === 'env') {
    store = 'tcp';
    address = required(env.MASTER_ADDR || undefined, `env:// needs ${envNote('MASTER_ADDR')}, but it is not set`);
    port = required(integer(env.MASTER_PORT || undefined, 'MASTER_PORT', 1, 65535),
      `env:// needs ${envNote('MASTER_PORT')}, but it is not set`);
  } else if (scheme === 'tcp') {
    store = 'tcp';
    address = url.hostname.replace(/^\[(.*)\]$/, '$1');  // IPv6 literals come bracketed
    port = required(integer(url.port || undefined, "the port of 'initMethod'", 1, 65535),
      `tcp:// needs a port, as in tcp://127.0.0.1:29500; got ${JSON.stringify(initMethod)}`);
    if (address === '') fail(`tcp:// needs a host, as in tcp://127.0.0.1:29500; got ${JSON.stringify(initMethod)}`);
  } else if (scheme === 'file') {
    store = 'file';
    address = decodeURIComponent(url.pathname);
    port = 0;
    if (address === '' || address === '/') fail(`file:// needs a path, as in file:///tmp/store; got ${JSON.stringify(initMethod)}`);
  } else {
    fail(`'initMethod' must start with env://, tcp:// or file://, got ${JSON.stringify(initMethod)}`);
  }

  // torchrun (torch.distributed.elastic) serves the store from its agent and tells workers so; each restart of the
  // workers gets fresh keys (rendezvous._create_c10d_store).
  const agentStore = store === 'tcp' && env.TORCHELASTIC_USE_AGENT_STORE === 'True';
  const hostStore = store === 'tcp' && !agentStore && r === 0;
  const storePrefix = agentStore ? `/worker/attempt_${required(env.TORCHELASTIC_RESTART_COUNT || undefined,
    `TORCHELASTIC_USE_AGENT_STORE is set but ${envNote('TORCHELASTIC_RESTART_COUNT')} is not`)}` : '';
  const localRank = integer(env.LOCAL_RANK || undefined, 'LOCAL_RANK', 0) ?? r;
  const localWorldSize = integer(env.LOCAL_WORLD_SIZE || undefined, 'LOCAL_WORLD_SIZE', 1) ?? n;
  return { backend, initMethod, store, address, port, hostStore, storePrefix, rank: r, worldSize: n, localRank, localWorldSize, timeout };
}
