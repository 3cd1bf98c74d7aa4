import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCinc2017, openPtbxl } from '../databases/index.js';
import { Rng } from '../random/rng.js';
import { loadNstdbNoise, nstSnrDb } from '../noise/nstdb.js';
import type { EcgRecord } from '../record/record.js';
import { readRecord } from '../record/read.js';
import { wrsampSync } from '../wfdb/wrsamp.js';
import {
  InputPipeline, RecordCache, bucketBatches, chunkBatches, classBalancedWeights, conform, databaseSource, lossClassWeights, memorySource, noiseAugment,
  padBatch, paddingFraction, partPositions, weightedSample, type Batch,
} from './index.js';

// Every temporary folder of this file's tests is made in this one, removed when they end.
const scratchRoot = mkdtempSync(join(tmpdir(), 'ecglab-pipeline-test-'));
after(() => rmSync(scratchRoot, { recursive: true, force: true }));

const DATA = fileURLToPath(new URL('../../../../fixtures/data/', import.meta.url));
const cinc = openCinc2017(join(DATA, 'cinc2017/training2017'));
const ids = cinc.list().slice(0, 40);
const source = databaseSource(cinc, ids);

test('batches: padding to the batch max, mask and lengths exact, targets multi-hot, float32 mV as read', async () => {
  const pipe = await InputPipeline.create({ source, batchSize: 8, seed: 1 });
  const batch = await pipe.batch(pipe.plan(0)[0]!);
  const [B, L, T] = batch.shape;
  assert.deepEqual([B, L], [8, 1]);
  assert.equal(T, Math.max(...pipe.lengths.slice(0, 8)));
  for (let i = 0; i < B; i++) {
    const rec = await cinc.load(ids[i]!);
    const n = rec.signals[0]!.length;
    assert.equal(batch.lengths[i], n);
    const row = batch.x.subarray(i * T, (i + 1) * T);
    assert.deepEqual(row.subarray(0, n), rec.signals[0]);
    assert.ok(row.subarray(n).every((v) => v === 0));
    const m = batch.mask.subarray(i * T, (i + 1) * T);
    assert.ok(m.subarray(0, n).every((v) => v === 1) && m.subarray(n).every((v) => v === 0));
    assert.deepEqual(batch.targets!.subarray(i * 4, i * 4 + 4), cinc.labels(ids[i]!).multiHot);
  }
  // padded to a multiple and a minimum; a cap cuts longer records (at their start when not random)
  const capped = await InputPipeline.create({ source, batchSize: 8, seed: 1, maxSamples: 3000, padMultiple: 1024, minLength: 4096 });
  const c = await capped.batch([0, 1]);
  assert.deepEqual(c.shape, [2, 1, 4096]);
  assert.deepEqual(Array.from(c.lengths), [3000, 3000]);
  assert.deepEqual(c.x.subarray(0, 3000), (await cinc.load(ids[0]!)).signals[0]!.subarray(0, 3000));
});

test('training mode: random windows and shifts, seeded per (epoch, batch, position); resuming an epoch mid-way gives the same batches', async () => {
  const opts = { source, batchSize: 8, seed: 4, order: 'shuffle' as const, random: true, maxSamples: 4000, shiftSamples: 500 };
  const pipe = await InputPipeline.create(opts);
  const all: Float32Array[] = [];
  for await (const b of pipe.epoch(2)) {
    all.push(b.x);
    for (let i = 0; i < b.ids.length; i++) {
      assert.ok(b.offsets[i]! >= 0 && b.offsets[i]! <= 500);
      assert.ok(b.lengths[i]! <= 4000);
    }
  }
  const again = await InputPipeline.create({ ...opts, prefetch: 4 });
  const tail: Float32Array[] = [];
  for await (const b of again.epoch(2, { from: 3 })) tail.push(b.x);
  assert.deepEqual(tail, all.slice(3));
  const other: Float32Array[] = [];
  for await (const b of again.epoch(3)) other.push(b.x);
  assert.notDeepEqual(other, all);
});

test('shard by records: the ranks\' parts of each batch are the whole batch (windows, shifts, noise and all), each record once per epoch', async () => {
  // 37 records in batches of 8: the last batch has 5 records, fewer than 6 ranks, so rank 5 gets a stand-in.
  const opts = { source: databaseSource(cinc, ids.slice(0, 37)), batchSize: 8, seed: 9, order: 'shuffle' as const, random: true, maxSamples: 4000,
    shiftSamples: 700, padMultiple: 256, augment: noiseAugment({ snrDb: [10, 20], sources: ['gaussian'] }) };
  const pipe = await InputPipeline.create(opts);
  const whole: Batch[] = [];
  for await (const b of pipe.epoch(1)) whole.push(b);
  for (const worldSize of [2, 3, 6]) {
    const parts: Batch[][] = [];
    for (let rank = 0; rank < worldSize; rank++) {
      const mine: Batch[] = [];
      for await (const b of pipe.epoch(1, { shard: { rank, worldSize, by: 'records' } })) mine.push(b);
      assert.equal(mine.length, whole.length, `rank ${rank} of ${worldSize} takes part in every step`);
      parts.push(mine);
    }
    const seen: number[] = [];
    whole.forEach((w, b) => {
      const [, leads, len] = w.shape;
      for (let rank = 0; rank < worldSize; rank++) {
        const p = parts[rank]![b]!;
        assert.deepEqual(p.part!.positions, partPositions(w.ids.length, rank, worldSize));
        assert.deepEqual(p.part!.wholeIndices, w.indices);
        assert.equal(p.part!.standIn, p.part!.positions.length === 0);
        if (p.part!.standIn) {
          assert.deepEqual(p.indices, [w.indices[0]]);
          continue;
        }
        const padded = padBatch(p, len);
        p.part!.positions.forEach((pos, k) => {
          seen.push(p.indices[k]!);
          assert.equal(p.indices[k], w.indices[pos]);
          assert.equal(p.offsets[k], w.offsets[pos]);
          assert.deepEqual(padded.x.subarray(k * leads * len, (k + 1) * leads * len), w.x.subarray(pos * leads * len, (pos + 1) * leads * len));
          assert.deepEqual(padded.mask.subarray(k * len, (k + 1) * len), w.mask.subarray(pos * len, (pos + 1) * len));
        });
      }
    });
    assert.ok(parts[5]?.at(-1)?.part!.standIn ?? worldSize < 6, 'a batch of 5 leaves rank 5 of 6 a stand-in');
    assert.deepEqual(seen.sort((a, b) => a - b), Array.from({ length: 37 }, (_, i) => i), `${worldSize} ranks: every record once in the epoch`);
  }
  // resuming a rank's epoch at a batch gives its same parts
  const tail: Batch[] = [];
  for await (const b of pipe.epoch(1, { from: 3, shard: { rank: 1, worldSize: 2, by: 'records' } })) tail.push(b);
  const again: Batch[] = [];
  for await (const b of pipe.epoch(1, { shard: { rank: 1, worldSize: 2, by: 'records' } })) again.push(b);
  assert.deepEqual(tail, again.slice(3));
  // by batches: rank r takes batches r, r + N, ... whole
  const byBatch: Batch[] = [];
  for await (const b of pipe.epoch(1, { from: 1, shard: { rank: 1, worldSize: 2, by: 'batches' } })) byBatch.push(b);
  assert.deepEqual(byBatch.map((b) => b.x), [whole[1]!.x, whole[3]!.x]);
  await assert.rejects(pipe.epoch(0, { shard: { rank: 2, worldSize: 2, by: 'records' } }).next(), /shard\.rank' must be an integer in \[0, 2\), got 2/);
  assert.throws(() => padBatch(whole[0]!, 10), /padBatch: 'length' must be an integer >= the batch's \d+ samples, got 10/);
});

test('length bucketing reduces padding against plain batches (CinC 2017 fixture lengths); every record once per epoch', async () => {
  const all = await InputPipeline.create({ source: databaseSource(cinc), batchSize: 16, seed: 2, order: 'shuffle', bucket: true });
  const rng = new Rng(5);
  const order = rng.shuffle(all.lengths.map((_, i) => i));
  const random = paddingFraction(chunkBatches(order, 16), all.lengths);
  const bucket = paddingFraction(bucketBatches(order, all.lengths, 16, rng), all.lengths);
  assert.ok(bucket < random / 2, `bucketed ${bucket} vs random ${random}`);
  assert.deepEqual(all.plan(0).flat().sort((a, b) => a - b), all.lengths.map((_, i) => i));
  assert.deepEqual(all.plan(3), all.plan(3));
  assert.notDeepEqual(all.plan(3), all.plan(4));
  const byLength = await InputPipeline.create({ source: databaseSource(cinc), batchSize: 16, seed: 2, order: 'by-length' });
  const flat = byLength.plan(0).flat();
  assert.ok(flat.every((i, k) => k === 0 || byLength.lengths[flat[k - 1]!]! <= byLength.lengths[i]!));
});

test('class balance: balanced sampling draws each CinC 2017 class about equally often; loss weights n/(K·n_c) and neg/pos', () => {
  const labels = cinc.list().map((id) => cinc.labels(id).multiHot);
  const w = classBalancedWeights(labels);
  const draws = weightedSample(w, 40000, new Rng(11));
  const freq = [0, 0, 0, 0];
  for (const i of draws) freq[labels[i]!.indexOf(1)]!++;
  for (const f of freq) assert.ok(Math.abs(f / 40000 - 0.25) < 0.015, `class frequencies ${freq}`);
  const n = labels.filter((y) => y[3] === 1).length;
  assert.equal(w[labels.findIndex((y) => y[3] === 1)], 1 / n);
  const t = [Float32Array.of(1, 0, 0), Float32Array.of(1, 0, 0), Float32Array.of(0, 1, 0), Float32Array.of(1, 1, 0)];
  assert.deepEqual(lossClassWeights(t.slice(0, 3), 'single-label'), [3 / (3 * 2), 3 / (3 * 1), 0]);
  assert.deepEqual(lossClassWeights(t, 'multi-label'), [1 / 3, 2 / 2, 1]);
});

test('disk cache: a hit returns identical records; truncated or altered entries are detected and rebuilt', async () => {
  const dir = mkdtempSync(join(scratchRoot, 'cache-'));
  const spec = { baseline: { kind: 'highpass' as const } };
  const sub = databaseSource(cinc, ids.slice(0, 4));
  const first = await InputPipeline.create({ source: sub, conform: spec, batchSize: 2, seed: 0, cache: { dir } });
  assert.deepEqual(first.diskCache!.stats, { hits: 0, misses: 4, corrupt: 0 });
  const direct = conform(await cinc.load(ids[0]!), spec).record;
  const again = await InputPipeline.create({ source: sub, conform: spec, batchSize: 2, seed: 0, cache: { dir } });
  assert.deepEqual(again.diskCache!.stats, { hits: 4, misses: 0, corrupt: 0 });
  const hit = await again.conformed(0);
  assert.deepEqual(hit.signals, direct.signals);
  assert.deepEqual(hit.leadNames, direct.leadNames);
  const [entry] = readdirSync(dir).filter((f) => f.endsWith('.ecgc')).map((f) => join(dir, f)).filter((p) => new RecordCache(dir).read(p)?.id === ids[0]);
  const size = statSync(entry!).size;
  truncateSync(entry!, size - 7);
  const c1 = new RecordCache(dir);
  assert.equal(c1.read(entry!), undefined);
  assert.equal(c1.stats.corrupt, 1);
  const bytes = readFileSync(entry!);
  writeFileSync(entry!, Buffer.concat([bytes, Buffer.alloc(7)]));
  const flipped = readFileSync(entry!);
  flipped[200] = flipped[200]! ^ 0xff; // same size, wrong checksum
  writeFileSync(entry!, flipped);
  const c2 = new RecordCache(dir);
  assert.equal(c2.read(entry!), undefined);
  const rebuilt = await InputPipeline.create({ source: sub, conform: spec, batchSize: 2, seed: 0, cache: { dir } });
  assert.deepEqual(rebuilt.diskCache!.stats, { hits: 3, misses: 1, corrupt: 1 });
  assert.deepEqual((await rebuilt.conformed(0)).signals, direct.signals);
  assert.ok(readdirSync(dir).every((f) => f.endsWith('.ecgc')), 'atomic writes leave no temp files behind');
});

test('prefetch: N batches are in preparation ahead of the consumer; an epoch yields every batch', async () => {
  const pipe = await InputPipeline.create({ source, batchSize: 4, seed: 3, prefetch: 3 });
  const it = pipe.epoch(0);
  const first = await it.next();
  assert.ok(!first.done);
  assert.equal(pipe.stats.yielded, 1);
  assert.equal(pipe.stats.started, 4); // the one handed out + 3 ahead
  let n = 1;
  let seen = first.value.ids.length;
  for await (const b of it) {
    n++;
    seen += b.ids.length;
  }
  assert.equal(n, 10);
  assert.equal(seen, 40);
});

test('conform: PTB-XL 500 Hz resampled to 100 Hz, leads by name case-insensitively or by index, a missing lead named or zero', async () => {
  const db = openPtbxl({ dir: join(DATA, 'ptbxl'), fs: 500 });
  const rec = await db.load('17');
  const { record, notes } = conform(rec, { fs: 100, leads: ['ii', 'AVR', 'V1'] });
  assert.deepEqual([record.signals.length, record.signals[0]!.length, record.fs, record.leadNames], [3, 1000, 100, ['II', 'aVR', 'V1']]);
  assert.equal(notes.resampledFrom, 500);
  assert.ok(record.signals.every((s) => s instanceof Float32Array));
  assert.throws(() => conform(rec, { leads: ['V7'] }), /lead V7 missing from record 17/);
  const z = conform(rec, { leads: ['I', 'V7'], missingLeads: 'zeros' });
  assert.ok(z.record.signals[1]!.every((v) => v === 0));
  assert.deepEqual(z.notes.missingLeads, ['V7']);
  assert.deepEqual(conform(rec, { leadIndices: [1] }).record.signals[0], rec.signals[1]);
  assert.throws(() => conform(rec, { leadIndices: [12] }), /has 12 leads, lead index 12 was asked for/);
});

test('extras: a hook adds inputs per batch, seeded by (seed, epoch, batch); memorySource serves records in memory', async () => {
  const recs: EcgRecord[] = [0, 1, 2].map((k) => ({ id: `r${k}`, fs: 100, leadNames: ['I'], signals: [Float32Array.from({ length: 50 + k * 10 }, (_, t) => Math.sin(t + k))] }));
  const pipe = await InputPipeline.create({
    source: memorySource(recs),
    batchSize: 2,
    seed: 7,
    extras: async ({ records, epoch, batch, seed }) => ({ page: { data: Float32Array.from(records, (r, i) => r.signals[0]!.length + Rng.derive(seed, epoch, batch, i).next()), shape: [records.length] } }),
  });
  const b = await pipe.batch([0, 2], 1, 5);
  assert.deepEqual(b.ids, ['r0', 'r2']);
  assert.equal(b.targets, null);
  assert.deepEqual(Array.from(b.extras.page!.data), [50 + Rng.derive(7, 1, 5, 0).next(), 70 + Rng.derive(7, 1, 5, 1).next()].map(Math.fround));
  assert.throws(() => memorySource([recs[0]!, recs[0]!]), /record id 'r0' appears twice/);
  await assert.rejects(InputPipeline.create({ source: memorySource(recs), batchSize: 2, seed: 1, order: 'balanced' }), /'balanced' needs a labelled source/);
});

test('noiseAugment: NSTDB ma noise at 6 dB (nst convention) and white noise at 12 dB land on their targets', async () => {
  const ma = await loadNstdbNoise(join(DATA, 'nstdb'), 'ma');
  const sub = databaseSource(cinc, ids.slice(0, 6));
  const clean = await InputPipeline.create({ source: sub, batchSize: 6, seed: 4 });
  const cb = await clean.batch([0, 1, 2, 3, 4, 5]);
  for (const [noiseSource, snr] of [[ma, 6], ['gaussian', 12]] as const) {
    const noisy = await InputPipeline.create({ source: sub, batchSize: 6, seed: 4, random: true, augment: noiseAugment({ snrDb: [snr, snr], sources: [noiseSource] }) });
    const nb = await noisy.batch([0, 1, 2, 3, 4, 5]);
    const T = cb.shape[2];
    for (let i = 0; i < 6; i++) {
      const n = cb.lengths[i]!;
      const x = Float64Array.from(cb.x.subarray(i * T, i * T + n));
      const added = Float64Array.from(nb.x.subarray(i * T, i * T + n), (v, t) => v - x[t]!);
      const got = typeof noiseSource === 'string'
        ? 10 * Math.log10(x.reduce((s, v) => s + v * v, 0) / added.reduce((s, v) => s + v * v, 0))
        : nstSnrDb(x, added, 300);
      // float32 storage of the batch limits the agreement to ~1e-4 dB
      assert.ok(Math.abs(got - snr) < 0.01, `record ${i}: ${got} dB`);
    }
  }
  assert.throws(() => noiseAugment({ snrDb: [5, 1], sources: ['gaussian'] }), /'snrDb' must be \[low, high\]/);
});

test('garbage in: a NaN sample is an error naming record, lead and sample; the share of invalid samples survives resampling and the disk cache, and maxInvalidFraction refuses above it', async () => {
  const dir = mkdtempSync(join(scratchRoot, 'invalid-'));
  // Two leads at 250 Hz; in 'mostly' 3 of 4 samples of both leads are WFDB's invalid value, in 'some' 1 of 10 of one lead.
  const write = (name: string, bad: (i: number, lead: number) => boolean): Promise<EcgRecord> => {
    const physical = [0, 1].map((lead) => Float64Array.from({ length: 1000 }, (_, i) => (bad(i, lead) ? Number.NaN : Math.sin(i / 10))));
    wrsampSync(join(dir, name), { fs: 250, sigName: ['I', 'II'], physical, fmt: 16, adcGain: [1000, 1000] });
    return readRecord(join(dir, name));
  };
  const mostly = await write('mostly', (i) => i % 4 !== 0);
  const some = await write('some', (i, lead) => lead === 1 && i % 10 === 0);
  assert.deepEqual([mostly.meta?.invalidSamples, some.meta?.invalidSamples], [1500, 100]);
  assert.ok([...mostly.signals, ...some.signals].every((s) => s.every(Number.isFinite)), 'readers store invalid samples as 0');

  const nan: EcgRecord = { id: 'built', fs: 250, leadNames: ['I', 'II'], signals: [new Float32Array(10), Float32Array.from({ length: 10 }, (_, i) => (i === 7 ? Number.NaN : 0))] };
  assert.throws(() => conform(nan, {}), /record built: lead II sample 7 is NaN \(the signals must be finite numbers of mV\)/);
  const inf = { ...nan, signals: [Float32Array.of(0, Number.POSITIVE_INFINITY)], leadNames: ['V1'] };
  assert.throws(() => conform(inf, {}), /lead V1 sample 1 is Infinity/);

  const spec = { fs: 100, leads: ['II'] };
  const conformed = conform(some, spec).record;
  assert.equal(conformed.signals[0]!.length, 400);
  assert.equal(conformed.meta?.invalidFraction, 0.05, 'the fraction of the record as read, not of the lead kept');
  const cache = { dir: join(dir, 'cache') };
  for (let pass = 0; pass < 2; pass++) {
    const pipe = await InputPipeline.create({ source: memorySource([mostly, some]), conform: spec, batchSize: 2, seed: 0, cache });
    assert.equal(pipe.diskCache!.stats.hits, pass === 0 ? 0 : 2);
    assert.deepEqual([(await pipe.conformed(0)).meta?.invalidFraction, (await pipe.conformed(1)).meta?.invalidFraction], [0.75, 0.05]);
  }
  await assert.rejects(
    InputPipeline.create({ source: memorySource([some, mostly]), conform: spec, batchSize: 2, seed: 0, maxInvalidFraction: 0.5, cache }),
    (err: Error & { code?: string }) => err.code === 'E_PIPELINE' && /record mostly \(.*mostly\): 75\.0 % of its samples are marked invalid, more than the 50 % allowed/.test(err.message),
  );
  const fine = await InputPipeline.create({ source: memorySource([some]), conform: spec, batchSize: 1, seed: 0, maxInvalidFraction: 0.5 });
  assert.equal(fine.ids.length, 1);
  await assert.rejects(InputPipeline.create({ source: memorySource([some]), batchSize: 1, seed: 0, maxInvalidFraction: 2 }), /'maxInvalidFraction' must be a number in \[0, 1\], got 2/);
});
