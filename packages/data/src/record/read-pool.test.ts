import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openCinc2017, openCpsc2018 } from '../databases/index.js';
import { RecordError } from '../errors.js';
import { databaseSource, InputPipeline } from '../pipeline/index.js';
import { FIXTURES } from '../wfdb/testing.js';
import { readRecord } from './read.js';
import { RecordReadPool } from './read-pool.js';
import type { EcgRecord } from './record.js';
import { assertSameError, assertSameRecord, badCases, READ_CASES } from './testing.js';

const what = ([path, opts]: [string, object]): string => `${path} ${JSON.stringify(opts)}`;

describe('RecordReadPool', () => {
  const pool = new RecordReadPool({ size: 2 });
  after(() => pool.close());

  test('read and readMany give the records readRecord gives (signals bit for bit, same meta), in order', async () => {
    for (const c of READ_CASES) assertSameRecord(await pool.read(...c), await readRecord(...c), what(c));
    const many = await pool.readMany(READ_CASES.map(([p]) => p), READ_CASES.map(([, o]) => o));
    assert.equal(many.length, READ_CASES.length);
    for (const [i, c] of READ_CASES.entries()) assertSameRecord(many[i]!, await readRecord(...c), `readMany: ${what(c)}`);
    // one options object for all the paths
    const dir = `${FIXTURES}cinc2017/training2017/`;
    const ids = ['A00067', 'A00073'];
    const cut = await pool.readMany(ids.map((id) => dir + id), { maxSeconds: 5 });
    for (const [i, id] of ids.entries()) assertSameRecord(cut[i]!, await readRecord(dir + id, { maxSeconds: 5 }), id);
    assert.deepEqual(await pool.readMany([]), []);
  });

  test('a bad input fails with the error readRecord gives: class, message, code, file', async () => {
    for (const c of badCases()) {
      const want = await readRecord(...c).catch((e: unknown) => e);
      assertSameError(await pool.read(...c).catch((e: unknown) => e), want, what(c));
      // in a batch, the first bad path in order wins, whatever finishes first
      const [good] = READ_CASES[0]!;
      assertSameError(await pool.readMany([good, c[0], good, good], [{}, c[1], {}, { maxSeconds: 0 }]).catch((e: unknown) => e), want, `readMany: ${what(c)}`);
    }
    await assert.rejects(pool.readMany(['a', 'b'], [{}]), /RecordReadPool.readMany: 'opts' must be one options object, or one per path \(2\), got 1/);
    assert.throws(() => new RecordReadPool({ size: 0 }), (e: Error) => e instanceof RecordError && /RecordReadPool: option 'size' must be an integer in \[1, 256\], got 0/.test(e.message));
  });

  test('reads made together leave in one message, each with its own record or error', async () => {
    const cases = [READ_CASES[0]!, badCases()[0]!, READ_CASES[1]!, badCases()[2]!, READ_CASES[4]!];
    const there = await Promise.allSettled(cases.map((c) => pool.read(...c)));
    const here = await Promise.allSettled(cases.map((c) => readRecord(...c)));
    here.forEach((h, i) => {
      const t = there[i]!;
      if (h.status === 'fulfilled') assertSameRecord((t as PromiseFulfilledResult<EcgRecord>).value, h.value, what(cases[i]!));
      else assertSameError(t.status === 'rejected' ? t.reason : undefined, h.reason, what(cases[i]!));
    });
  });

  test('close() rejects the reads still queued or running, and later ones', async () => {
    const p = new RecordReadPool({ size: 1 });
    const paths = Array.from({ length: 40 }, () => READ_CASES[0]![0]);
    const pending = p.readMany(paths);
    const one = p.read(READ_CASES[1]![0]);
    const rejected = Promise.all([
      assert.rejects(pending, (e: Error) => e instanceof RecordError && e.message === 'RecordReadPool: the pool was closed before the task finished'),
      assert.rejects(one, RecordError),
    ]);
    await p.close();
    await rejected;
    await assert.rejects(p.read(READ_CASES[0]![0]), /RecordReadPool: the pool is closed/);
  });

  test('a database opened with the pool as its reader loads the same records; a pipeline over it makes the same batches', async () => {
    let reads = 0;
    const reader = (path: string, opts?: object) => (reads++, pool.read(path, opts));
    const cpsc = `${FIXTURES}cpsc2018/`;
    const cpscOpts = { reference: `${cpsc}REFERENCE.csv`, wfdbDir: `${cpsc}Training_WFDB`, matDir: `${cpsc}TrainingSet1` };
    const pairs = [
      [openCinc2017(`${FIXTURES}cinc2017/training2017`), openCinc2017(`${FIXTURES}cinc2017/training2017`, undefined, { reader })],
      [openCpsc2018(cpscOpts), openCpsc2018(cpscOpts, { reader })], // both forms: WFDB and the original .mat
    ] as const;
    for (const [here, there] of pairs) {
      for (const id of here.list()) assertSameRecord(await there.load(id), await here.load(id), `${here.facts.name} ${id}`);
      const pipe = (db: typeof here) => InputPipeline.create({ source: databaseSource(db), conform: { fs: 250 }, batchSize: 4, seed: 3, order: 'shuffle', random: true, shiftSamples: 100, cache: 'none' });
      const [a, b] = [await pipe(here), await pipe(there)];
      const batches = async (p: InputPipeline) => { const out = []; for await (const x of p.epoch(1)) out.push(x); return out; };
      assert.deepEqual(await batches(b), await batches(a));
    }
    assert.ok(reads > 0, 'the pool was not asked');
  });

  test('an idle pool does not keep the process alive', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecglab-read-pool-'));
    try {
      const script = join(dir, 'idle.mts'); // .mts: an ES module wherever it lies
      const pool = new URL('./read-pool.ts', import.meta.url).href;
      writeFileSync(script, `import { RecordReadPool } from ${JSON.stringify(pool)};
const pool = new RecordReadPool({ size: 2 });
const recs = await pool.readMany(${JSON.stringify([READ_CASES[0]![0], READ_CASES[1]![0], READ_CASES[6]![0]])});
console.log(recs.map((r) => r.id).join(' '));
`);
      // no close(): the process must still end by itself
      const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.signal, null, `the process did not exit by itself (killed by ${r.signal})`);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), '00017_hr A00067 bw');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
