export { WorkerPool, type WorkerPoolOptions } from './pool.js';
export { errorToWire, serveTasks, type TaskDone } from './serve.js';
export type { WireError } from './protocol.js';
