// Entry of a TorchWorker thread. Plain JS because a worker does not inherit the parent's TypeScript loader
// on Node 20: register tsx here, then load the TypeScript host.
import { register } from 'tsx/esm/api';

register();
await import('./worker_host.ts');
