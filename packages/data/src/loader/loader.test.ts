import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCinc2017, openPtbxl } from '../databases/index.js';
import { Rng } from '../noise/prng.js';
import { addWhiteNoise } from '../noise/white.js';
import { loadNstdbNoise, nstSnrDb } from '../noise/nstdb.js';
import { EcgLoader, RecordCache, fromSignal, noiseAugment, toSignal, type PreparedRecord, bucketBatches, classBalancedWeights, configHash, paddingFraction, preprocess, randomBatches, weightedSample } from './index.js';

const DATA = fileURLToPath(new URL('../../../../fixtures/data/', import.meta.url));
const cinc = openCinc2017(join(DATA, 'cinc2017/training2017'));
const ids = cinc.list().slice(0, 40);

test('batches: padding to the batch max, mask and lengths exact, labels multi-hot', async () => {
  const loader = await EcgLoader.create({ db: cinc, ids, preprocess: { normalize: 'mv' }, batchSize: 8, seed: 1, order: 'sequential' });
  const [b] = await loader.plan(0).slice(0, 1).map((p) => loader.batch(p));
  const batch = await b!;
  const [B, L, T] = batch.shape;
  assert.deepEqual([B, L], [8, 1]);
  assert.equal(T, Math.max(...loader.lengths.slice(0, 8)));
  for (let i = 0; i < B; i++) {
    const rec = await cinc.load(ids[i]!);
    const n = rec.signal[0]!.length;
    assert.equal(batch.lengths[i], n);
    const row = batch.x.subarray(i * T, (i + 1) * T);
    assert.deepEqual(row.subarray(0, n), Float32Array.from(rec.signal[0]!));
    assert.ok(row.subarray(n).every((v) => v === 0));
    const m = batch.mask.subarray(i * T, (i + 1) * T);
    assert.ok(m.subarray(0, n).every((v) => v === 1) && m.subarray(n).every((v) => v === 0));
    assert.deepEqual(batch.y.subarray(i * 4, i * 4 + 4), cinc.labels(ids[i]!).multiHot);
  }
  // a cap cuts longer records and pads shorter ones to exactly the cap
  const capped = await EcgLoader.create({ db: cinc, ids, preprocess: {}, batchSize: 8, seed: 1, order: 'sequential', maxSamples: 3000 });
  const c = await capped.batch([0, 1]);
  assert.deepEqual(c.shape, [2, 1, 3000]);
  assert.deepEqual(Array.from(c.lengths), [3000, 3000]);
});

test('length bucketing reduces padding against random batches (CinC 2017 fixture lengths)', async () => {
  const all = await EcgLoader.create({ db: cinc, preprocess: {}, batchSize: 16, seed: 2 });
  const rng = new Rng(5);
  const random = paddingFraction(randomBatches(all.lengths.length, 16, rng), all.lengths);
  const bucket = paddingFraction(bucketBatches(all.lengths, 16, rng), all.lengths);
  console.log(`padding fraction: random ${random.toFixed(3)}, bucketed ${bucket.toFixed(3)}`);
  assert.ok(bucket < random / 2, `bucketed ${bucket} vs random ${random}`);
  // every record appears exactly once per epoch
  assert.deepEqual(all.plan(0).flat().sort((a, b) => a - b), all.lengths.map((_, i) => i));
  assert.deepEqual(all.plan(3), all.plan(3));
  assert.notDeepEqual(all.plan(3), all.plan(4));
});

test('class-balanced sampling draws each CinC 2017 class about equally often', () => {
  const labels = cinc.list().map((id) => cinc.labels(id).multiHot);
  const w = classBalancedWeights(labels);
  const draws = weightedSample(w, 40000, new Rng(11));
  const freq = [0, 0, 0, 0];
  for (const i of draws) freq[labels[i]!.indexOf(1)]!++;
  for (const f of freq) assert.ok(Math.abs(f / 40000 - 0.25) < 0.015, `class frequencies ${freq}`);
  // weights are 1/n_c
  const n = labels.filter((y) => y[3] === 1).length;
  assert.equal(w[labels.findIndex((y) => y[3] === 1)], 1 / n);
});

test('cache: a hit returns identical arrays; truncated or altered entries are detected and rebuilt', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecglab-cache-'));
  const cfg = { baseline: { kind: 'highpass' as const }, normalize: 'zscore' as const };
  const first = await EcgLoader.create({ db: cinc, ids: ids.slice(0, 4), preprocess: cfg, batchSize: 2, seed: 0, cacheDir: dir });
  assert.deepEqual(first.cache!.stats, { hits: 0, misses: 4, corrupt: 0 });
  const direct = preprocess(await cinc.load(ids[0]!), cfg);
  const again = await EcgLoader.create({ db: cinc, ids: ids.slice(0, 4), preprocess: cfg, batchSize: 2, seed: 0, cacheDir: dir });
  assert.deepEqual(again.cache!.stats, { hits: 4, misses: 0, corrupt: 0 });
  const hit = await again.record(ids[0]!);
  assert.deepEqual(hit.data, direct.data);
  const path = again.cache!.pathOf(cinc.source, ids[0]!, configHash(cfg));
  const size = statSync(path).size;
  truncateSync(path, size - 7);
  const c1 = new RecordCache(dir);
  const rebuilt = await c1.get(cinc.source, ids[0]!, configHash(cfg), async () => preprocess(await cinc.load(ids[0]!), cfg));
  assert.deepEqual(c1.stats, { hits: 0, misses: 1, corrupt: 1 });
  assert.deepEqual(rebuilt.data, direct.data);
  assert.equal(statSync(path).size, size);
  const bytes = readFileSync(path);
  bytes[100] = bytes[100]! ^ 0xff; // flip one payload byte: same size, wrong checksum
  writeFileSync(path, bytes);
  const c2 = new RecordCache(dir);
  assert.equal(c2.read(path), undefined);
  assert.equal(c2.stats.corrupt, 1);
  assert.deepEqual((await c2.get(cinc.source, ids[0]!, configHash(cfg), async () => direct)).data, direct.data);
  assert.ok(new RecordCache(dir).read(path));
  // atomic writes leave no temp files behind
  assert.ok(readdirSync(dir).every((f) => f.endsWith('.ecgc')));
  // a different config is a different entry
  assert.notEqual(configHash(cfg), configHash({ ...cfg, normalize: 'maxabs' }));
});

test('prefetch: N batches are in preparation ahead of the consumer; an epoch yields every batch', async () => {
  const loader = await EcgLoader.create({ db: cinc, ids, preprocess: {}, batchSize: 4, seed: 3, prefetch: 3 });
  const it = loader.epoch(0);
  const first = await it.next();
  assert.ok(!first.done);
  assert.equal(loader.stats.yielded, 1);
  assert.equal(loader.stats.started, 4); // the one handed out + 3 ahead
  let n = 1;
  let seen = first.value.ids.length;
  for await (const b of it) {
    n++;
    seen += b.ids.length;
  }
  assert.equal(n, 10);
  assert.equal(seen, 40);
});

test('preprocessing: PTB-XL 500 Hz resampled to 100 Hz, leads chosen case-insensitively, a missing lead named', async () => {
  const db = openPtbxl({ dir: join(DATA, 'ptbxl'), fs: 500 });
  const rec = await db.load('17');
  const p = preprocess(rec, { fs: 100, leads: ['ii', 'AVR', 'V1'], normalize: 'maxabs' });
  assert.deepEqual([p.leads, p.length, p.fs], [3, 1000, 100]);
  assert.ok(Math.max(...p.data.map(Math.abs)) <= 1);
  assert.throws(() => preprocess(rec, { leads: ['V7'] }), /lead V7 missing from record 17/);
  const z = preprocess(rec, { leads: ['I', 'V7'], missingLeads: 'zeros' });
  assert.ok(z.data.subarray(z.length).every((v) => v === 0));
});

test('augment: seeded per batch position, so two loaders with the same seed give identical noisy batches', async () => {
  const augment = (rec: PreparedRecord, rng: Rng): PreparedRecord =>
    fromSignal(addWhiteNoise(toSignal(rec), { kind: 'gaussian', snrDb: 10 }, rng), rec.fs);
  const make = (seed: number): Promise<EcgLoader> => EcgLoader.create({ db: cinc, ids: ids.slice(0, 12), preprocess: {}, batchSize: 4, seed, prefetch: 3, augment });
  const collect = async (l: EcgLoader): Promise<Float32Array[]> => {
    const out: Float32Array[] = [];
    for await (const b of l.epoch(1)) out.push(b.x);
    return out;
  };
  const a = await collect(await make(9));
  assert.deepEqual(a, await collect(await make(9)));
  assert.notDeepEqual(a, await collect(await make(10)));
  // the noise is really there: the batch differs from the clean records
  const clean = await EcgLoader.create({ db: cinc, ids: ids.slice(0, 12), preprocess: {}, batchSize: 4, seed: 9 });
  const c: Float32Array[] = [];
  for await (const b of clean.epoch(1)) c.push(b.x);
  assert.notDeepEqual(a, c);
  assert.equal(a.length, c.length);
});

test('cache entries are keyed by the signal source: PTB-XL at 100 and 500 Hz never share one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecglab-cache-src-'));
  const lr = await EcgLoader.create({ db: openPtbxl({ dir: join(DATA, 'ptbxl'), fs: 100 }), ids: ['17'], preprocess: {}, batchSize: 1, seed: 0, cacheDir: dir });
  const hr = await EcgLoader.create({ db: openPtbxl({ dir: join(DATA, 'ptbxl'), fs: 500 }), ids: ['17'], preprocess: {}, batchSize: 1, seed: 0, cacheDir: dir });
  assert.deepEqual([lr.lengths, hr.lengths], [[1000], [5000]]);
  assert.equal(hr.cache!.stats.hits, 0);
});

test('noiseAugment: NSTDB ma noise at 6 dB (nst convention) and white noise at 12 dB land on their targets', async () => {
  const ma = await loadNstdbNoise(join(DATA, 'nstdb'), 'ma');
  const clean = await EcgLoader.create({ db: cinc, ids: ids.slice(0, 6), preprocess: {}, batchSize: 6, seed: 4, order: 'sequential' });
  const cb = await clean.batch([0, 1, 2, 3, 4, 5]);
  for (const [source, snr] of [[ma, 6], ['gaussian', 12]] as const) {
    const noisy = await EcgLoader.create({ db: cinc, ids: ids.slice(0, 6), preprocess: {}, batchSize: 6, seed: 4, order: 'sequential', augment: noiseAugment({ snrDb: [snr, snr], sources: [source] }) });
    const nb = await noisy.batch([0, 1, 2, 3, 4, 5]);
    const T = cb.shape[2];
    for (let i = 0; i < 6; i++) {
      const n = cb.lengths[i]!;
      const x = Float64Array.from(cb.x.subarray(i * T, i * T + n));
      const added = Float64Array.from(nb.x.subarray(i * T, i * T + n), (v, t) => v - x[t]!);
      const got = typeof source === 'string'
        ? 10 * Math.log10(x.reduce((s, v) => s + v * v, 0) / added.reduce((s, v) => s + v * v, 0))
        : nstSnrDb(x, added, 300);
      // float32 storage of the batch limits the agreement to ~1e-4 dB
      assert.ok(Math.abs(got - snr) < 0.01, `record ${i}: ${got} dB`);
    }
  }
  assert.throws(() => noiseAugment({ snrDb: [5, 1], sources: ['gaussian'] }), /'snrDb' must be \[low, high\]/);
});
