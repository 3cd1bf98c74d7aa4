// The worker module of pool.test.ts: tasks that answer, fail, or end the thread, to test the pool itself.
import { RecordError } from '../errors.js';
import { serveTasks } from './serve.js';

export type TestTask = { kind: 'sum'; x: Float64Array } | { kind: 'fill'; n: number } | { kind: 'throw' } | { kind: 'exit'; ms: number } | { kind: 'busy'; ms: number };

serveTasks<TestTask, unknown>(async (task) => {
  switch (task.kind) {
    case 'sum':
      return { result: task.x.reduce((a, b) => a + b, 0) };
    case 'fill': {
      const out = new Float32Array(task.n).fill(7);
      return { result: out, transfer: [out.buffer] };
    }
    case 'throw':
      throw new RecordError('x.hea: thrown in a worker', 'x.hea');
    case 'exit':
      await new Promise((r) => setTimeout(r, task.ms));
      process.exit(3);
    case 'busy': {
      // Keeps the thread busy for `ms` (an await first, so that tasks run one after another only if served so);
      // answers when it started and ended, in Date.now() time, which both threads share.
      await Promise.resolve();
      const start = Date.now();
      while (Date.now() - start < task.ms);
      return { result: { start, end: Date.now() } };
    }
  }
});
