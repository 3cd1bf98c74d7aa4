// The default process group of this thread and its collectives, as torch.distributed's: initProcessGroup,
// allReduce, broadcast, allGather, barrier, destroyProcessGroup. Each collective returns a Promise that Gloo's
// own threads settle, so the event loop keeps running while ranks exchange data.
import { call, callAsync } from '../native.js';
import { TorchError } from '../errors.js';
import { Tensor, handleOf } from '../tensor.js';
import { noGrad } from '../autograd.js';
import { cat, tensor as tensorOf, zeros } from '../creation.js';
import { findExitedRanks } from './peers.js';
import { resolveRendezvous, type InitProcessGroupOptions, type Rendezvous } from './init-method.js';

/** Reductions of allReduce. Gloo has no native average: 'avg' sums, then divides by the world size. */
export type ReduceOp = 'sum' | 'avg' | 'product' | 'min' | 'max';

/** What initProcessGroup settled on, for logs and for choosing threads per process. */
export type ProcessGroupInfo = Readonly<Rendezvous>;

export type GroupHandle = { readonly __processGroup: unique symbol };

export interface DefaultGroup {
  handle: GroupHandle;
  info: ProcessGroupInfo;
  /** Each rank's "<hostname> <pid>" ("" for this rank and PyTorch peers), to name a rank that died. */
  processes: string[];
}

let current: DefaultGroup | null = null;
let initializing = false;

const GLOO_DTYPES = new Set(['float32', 'float64', 'int32', 'int64', 'uint8', 'float16']);

/** The default group, or a DISTRIBUTED error naming `fn` when there is none. */
export function group(fn: string): DefaultGroup {
  if (current === null) {
    throw new TorchError('DISTRIBUTED', `${fn}: no process group; call initProcessGroup() first`);
  }
  return current;
}

function where(info: ProcessGroupInfo): string {
  return `rank ${info.rank} of ${info.worldSize}`;
}

// Gloo reports a dead peer as a closed or reset connection and a silent one as a timed-out receive; say what that
// means for the run, naming the rank when it can be known (a process of this machine that exited, or the only peer).
async function diagnose(g: DefaultGroup, message: string): Promise<string> {
  const { info } = g;
  const only = info.worldSize === 2 ? `rank ${1 - info.rank}` : 'a peer rank';
  if (/closed by peer|reset by peer|broken pipe|connection refused|EOF/i.test(message)) {
    const exited = await findExitedRanks(g.processes);
    const who = exited.length === 0 ? `${only} exited or lost its connection`
      : `${exited.map((r) => `rank ${r}`).join(', ')} exited`;
    return ` (${who})`;
  }
  if (/timed? ?out/i.test(message)) {
    return ` (${only} did not take part within the timeout of ${info.timeout} ms)`;
  }
  return '';
}

/** Runs one collective on the default group; failures become DISTRIBUTED errors naming the operation and the rank. */
export async function collective<T>(fn: string, run: (g: DefaultGroup) => Promise<T>): Promise<T> {
  const g = group(fn);
  try {
    return await run(g);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof TorchError && e.code !== 'TORCH') throw e;
    throw new TorchError('DISTRIBUTED', `${fn} failed on ${where(g.info)}: ${message}${await diagnose(g, message)}`);
  }
}

function checkTensor(fn: string, t: Tensor, arg = 'tensor'): void {
  handleOf(t, fn, arg);
  if (t.device !== 'cpu') {
    throw new TorchError('ARGUMENT', `${fn}: '${arg}' must be on the CPU for the gloo backend, got ${t.device}`);
  }
  if (!GLOO_DTYPES.has(t.dtype)) {
    throw new TorchError('DTYPE', `${fn}: '${arg}' must be float32, float64, float16, int32, int64 or uint8 for gloo, got ${t.dtype}`);
  }
}

/**
 * Joins (or, as rank 0 of a TCP store, hosts) the default process group; resolves once every rank has joined.
 * Wire-compatible with `torch.distributed.init_process_group('gloo', ...)`: PyTorch processes can be members.
 * @example
 * // under torchrun, or with MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE set:
 * const info = await distributed.initProcessGroup({ backend: 'gloo' });
 * // or explicitly:
 * await distributed.initProcessGroup({ initMethod: 'tcp://10.0.0.1:29500', rank: 1, worldSize: 4, timeout: 60_000 });
 */
export async function initProcessGroup(opts: InitProcessGroupOptions = {}): Promise<ProcessGroupInfo> {
  const fn = 'initProcessGroup';
  if (current !== null || initializing) {
    throw new TorchError('DISTRIBUTED', `${fn}: the default process group is already initialized (destroyProcessGroup() first)`);
  }
  const r = resolveRendezvous(opts);
  if (r.backend === 'nccl') {
    throw new TorchError('ARGUMENT', `${fn}: backend 'nccl' needs a CUDA build of libtorch with NCCL; ` +
      "this libtorch is CPU-only: use backend 'gloo'");
  }
  initializing = true;
  try {
    const handle = await callAsync('distInit', r.store, r.address, r.port, r.rank, r.worldSize, r.timeout, r.hostStore, r.storePrefix) as GroupHandle;
    current = { handle, info: Object.freeze({ ...r }), processes: call('distPeerProcesses', handle) as string[] };
    return current.info;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new TorchError('DISTRIBUTED', `${fn} failed on rank ${r.rank} of ${r.worldSize} (${r.initMethod}, ` +
      `timeout ${r.timeout} ms): ${message}`);
  } finally {
    initializing = false;
  }
}

/**
 * Leaves the default process group and frees its threads and sockets (after pending collectives finish).
 * @example await distributed.destroyProcessGroup();
 */
export async function destroyProcessGroup(): Promise<void> {
  const g = group('destroyProcessGroup');
  current = null;
  await callAsync('distDestroy', g.handle);
}

/** Whether this thread has a default process group. */
export function isInitialized(): boolean {
  return current !== null;
}

/** This process's rank in the default group. @example if (distributed.getRank() === 0) writeCheckpoint(); */
export function getRank(): number {
  return group('getRank').info.rank;
}

/** The number of processes in the default group. @example const perRank = globalBatch / distributed.getWorldSize(); */
export function getWorldSize(): number {
  return group('getWorldSize').info.worldSize;
}

/** What initProcessGroup resolved (ranks, local ranks from torchrun, store, timeout). */
export function getProcessGroupInfo(): ProcessGroupInfo {
  return group('getProcessGroupInfo').info;
}

/**
 * Reduces `tensor` in place across all ranks. The tensor belongs to the collective until the Promise settles:
 * do not read or write it before (disposing it is safe).
 * @example const loss = tensor([local]); await distributed.allReduce(loss, 'avg'); loss.item();
 */
export async function allReduce(tensor: Tensor, op: ReduceOp = 'sum'): Promise<void> {
  const fn = 'allReduce';
  checkTensor(fn, tensor);
  if (!['sum', 'avg', 'product', 'min', 'max'].includes(op)) {
    throw new TorchError('ARGUMENT', `${fn}: 'op' must be 'sum', 'avg', 'product', 'min' or 'max', got ${JSON.stringify(op)}`);
  }
  if (op === 'avg' && !tensor.dtype.startsWith('float')) {
    throw new TorchError('DTYPE', `${fn}: 'avg' needs a floating tensor, got ${tensor.dtype}`);
  }
  await collective(fn, (g) => callAsync('distAllReduce', g.handle, handleOf(tensor, fn, 'tensor'), op === 'avg' ? 'sum' : op));
  if (op === 'avg') noGrad(() => tensor.div_(getWorldSize()));
}

/**
 * Reduces many tensors of one dtype in one collective (Gloo flattens them into one buffer), in place.
 * @example await distributed.allReduceCoalesced([a, b, c], 'sum');
 */
export async function allReduceCoalesced(tensors: readonly Tensor[], op: Exclude<ReduceOp, 'avg'> = 'sum'): Promise<void> {
  const fn = 'allReduceCoalesced';
  if (tensors.length === 0) return;
  tensors.forEach((t, i) => checkTensor(fn, t, `tensors[${i}]`));
  const dtype = tensors[0]!.dtype;
  const other = tensors.findIndex((t) => t.dtype !== dtype);
  if (other >= 0) {
    throw new TorchError('DTYPE', `${fn}: all tensors must share one dtype; tensors[0] is ${dtype}, tensors[${other}] is ${tensors[other]!.dtype}`);
  }
  const handles = tensors.map((t, i) => handleOf(t, fn, `tensors[${i}]`));
  await collective(fn, (g) => callAsync('distAllReduceCoalesced', g.handle, handles, op));
}

/**
 * Overwrites `tensor` on every rank with rank `src`'s (shapes and dtypes must match across ranks).
 * @example await distributed.broadcast(weights, 0);
 */
export async function broadcast(tensor: Tensor, src = 0): Promise<void> {
  const fn = 'broadcast';
  checkTensor(fn, tensor);
  const { worldSize } = group(fn).info;
  if (!Number.isInteger(src) || src < 0 || src >= worldSize) {
    throw new TorchError('ARGUMENT', `${fn}: 'src' must be a rank in [0, ${worldSize}), got ${src}`);
  }
  await collective(fn, (g) => callAsync('distBroadcast', g.handle, handleOf(tensor, fn, 'tensor'), src));
}

/**
 * Gathers `tensor` from every rank (same shape and dtype on each): one new tensor per rank, in rank order.
 * @example const [fromRank0, fromRank1] = await distributed.allGather(predictions);
 */
export async function allGather(tensor: Tensor): Promise<Tensor[]> {
  const fn = 'allGather';
  checkTensor(fn, tensor);
  const handles = await collective(fn, (g) => callAsync('distAllGather', g.handle, handleOf(tensor, fn, 'tensor')));
  return (handles as unknown[]).map((h) => new Tensor(h as never));
}

// [rows, ...rest] -> [longest, ...rest], zeros below.
function padRows(t: Tensor, longest: number): Tensor {
  const shape = t.shape;
  const pad = zeros([longest - shape[0]!, ...shape.slice(1)], { dtype: t.dtype });
  const out = cat([t, pad], 0);
  pad.dispose();
  return out;
}

/**
 * Gathers `tensor` from every rank when the first dimension differs between ranks (uneven validation shards);
 * the other dimensions and the dtype must match. Two collectives: the lengths, then the rows padded to the longest.
 * @example
 * const [fromRank0, fromRank1] = await distributed.allGatherVarying(probs);  // [n0, C] and [n1, C]
 * const all = cat([fromRank0, fromRank1], 0);
 */
export async function allGatherVarying(tensor: Tensor): Promise<Tensor[]> {
  const fn = 'allGatherVarying';
  checkTensor(fn, tensor);
  const shape = tensor.shape;
  if (shape.length === 0) throw new TorchError('SHAPE', `${fn}: 'tensor' must have at least 1 dim, got a scalar`);
  const length = tensorOf([shape[0]!], { dtype: 'int64' });
  const lengths = await allGather(length);
  const sizes = lengths.map((l) => l.item());
  for (const l of [length, ...lengths]) l.dispose();
  const longest = Math.max(...sizes);
  const padded = shape[0] === longest ? tensor.contiguous() : padRows(tensor, longest);
  try {
    const gathered = await allGather(padded);
    return gathered.map((g, r) => {
      if (sizes[r] === longest) return g;
      const view = g.narrow(0, 0, sizes[r]!);
      const rows = view.contiguous();  // its own memory, not a view into the padded buffer
      view.dispose();
      g.dispose();
      return rows;
    });
  } finally {
    padded.dispose();
  }
}

/**
 * Resolves once every rank has reached the barrier.
 * @example if (rank === 0) writeCheckpoint(); await distributed.barrier();
 */
export async function barrier(): Promise<void> {
  await collective('barrier', (g) => callAsync('distBarrier', g.handle));
}
