// The service on a real port (127.0.0.1, a free one): graceful shutdown finishes the in-flight request,
// refuses new ones, stops the workers and deletes the temporary folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { pino } from 'pino';
import { serve } from './server.js';
import { fixture, testModelsDir } from './testing/models.js';

test('shutdown: the in-flight request finishes, new ones are refused, the temp folder goes', async () => {
  const s = await serve({ port: 0, modelsDir: await testModelsDir(), logger: pino({ level: 'silent' }), numThreads: 1 });
  const q = s.service.ctx.inference.queue;
  let open!: () => void;
  const gate = new Promise<void>((r) => { open = r; });
  const held = q.submit({ kind: 'call', run: () => gate }, 60_000);
  const fd = new FormData();
  for (const ext of ['hea', 'mat']) fd.append('file', new File([readFileSync(fixture(`cinc2017/training2017/A00067.${ext}`))], `A00067.${ext}`));
  const inflight = fetch(`${s.url}/predict`, { method: 'POST', body: fd });
  let stopped: Promise<void> | undefined;
  try {
    for (let i = 0; q.waiting < 1; i++) {
      assert.ok(i < 6000, 'the request never reached the queue');
      await new Promise((r) => setTimeout(r, 10));
    }
    stopped = s.shutdown();
    // New requests: the listener is closed (connection refused), or a kept-alive socket gets 503.
    const late = await fetch(`${s.url}/health`).then((r) => r.status, (e: Error) => e.message);
    assert.ok(late === 503 || /fetch failed/.test(String(late)), `a new request got ${late}`);
  } finally {
    open();
    await held;
  }
  const res = await inflight;
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { predictions: { id: string }[] }).predictions[0]!.id, 'A00067');
  await stopped;
  assert.equal(existsSync(s.service.ctx.tmpRoot), false, 'the temporary folder is gone');
});
