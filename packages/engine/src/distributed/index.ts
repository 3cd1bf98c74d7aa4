// Data-parallel training over libtorch's c10d (Gloo), wire-compatible with torch.distributed. See ../../API.md.
export {
  initProcessGroup, destroyProcessGroup, isInitialized, getRank, getWorldSize, getProcessGroupInfo,
  allReduce, allReduceCoalesced, broadcast, allGather, allGatherVarying, barrier,
} from './group.js';
export type { ReduceOp, ProcessGroupInfo } from './group.js';
export { resolveRendezvous, DEFAULT_TIMEOUT_MS } from './init-method.js';
export type { Backend, InitProcessGroupOptions, Rendezvous } from './init-method.js';
export { allReduceGradients, broadcastParameters, bucketTensors, bucketIndices, DEFAULT_BUCKET_BYTES, DEFAULT_FIRST_BUCKET_BYTES } from './data-parallel.js';
export { GradientSync } from './gradient-sync.js';
export type { AllReduceGradientsOptions } from './data-parallel.js';
export { shardIndices, shardLength } from './sampler.js';
export type { ShardOptions } from './sampler.js';
