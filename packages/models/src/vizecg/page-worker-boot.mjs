// Entry of a VizECGNet page worker thread. Plain JS because a worker does not inherit the parent's TypeScript
// loader on Node 20: register tsx here, then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./page-worker.ts');
