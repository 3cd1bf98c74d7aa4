// Entry of every WorkerPool thread (pool.ts). Plain JS because a worker does not inherit the parent's
// TypeScript loader on Node 20: register tsx here, then load the worker module named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
