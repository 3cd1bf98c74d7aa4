// FLAC-compressed WFDB formats 508/516/524, checked sample for sample against wfdb-python 4.3.1
// (packages/data/fixtures/wfdb-peer/make_wfdb_peer.py) and against a record whose FLAC files were
// written by libsndfile (packages/data/fixtures/flac/make_flac_fixture.py, formulas restated below).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignalFileError, UnsupportedFormatError } from '../errors.js';
import { flacDecoderLoaded, loadFlacDecoder, rdrecord, rdrecordSync } from './index.js';
import { WFDB_FIXTURES as W } from './testing.js';

// Every temporary folder of this file's tests is made in this one, removed when they end.
const scratchRoot = mkdtempSync(join(tmpdir(), 'ecglab-flac-test-'));
after(() => rmSync(scratchRoot, { recursive: true, force: true }));

const EDGE = fileURLToPath(new URL('../../fixtures/flac/flacedge', import.meta.url));
const peer = JSON.parse(readFileSync(new URL('../../fixtures/wfdb-peer/wfdb-peer.json', import.meta.url), 'utf8')) as {
  flacformats: { fmt: string[]; digital: number[][] };
  flacformats_physical_17_401_ch2_0: number[][];
};

// Runs first in this file's process: the decoder is not loaded yet.
test('rdrecordSync of a FLAC record before the decoder is loaded says what to do', async () => {
  assert.equal(flacDecoderLoaded(), false);
  assert.throws(() => rdrecordSync(`${W}flacformats`), (e: unknown) => e instanceof UnsupportedFormatError
    && /flacformats\.d0: format 508 is FLAC, whose decoder loads asynchronously: call 'await loadFlacDecoder\(\)' once before rdrecordSync/.test((e as Error).message));
  await loadFlacDecoder();
  assert.equal(flacDecoderLoaded(), true);
  assert.equal(rdrecordSync(`${W}flacformats`).sigLen, 499);
});

test('flacformats (508, 516, 524) equals wfdb-python sample for sample, with valid checksums', async () => {
  const r = await rdrecord(`${W}flacformats`, { physical: false });
  assert.deepEqual(r.fmt.map(String), peer.flacformats.fmt);
  assert.deepEqual(r.digital!.map((d) => [...d]), peer.flacformats.digital);
  assert.deepEqual(r.checksums, ['ok', 'ok', 'ok']);
  const p = await rdrecord(`${W}flacformats`, { sampfrom: 17, sampto: 401, channels: [2, 0] });
  p.physical!.forEach((x, c) => assert.deepEqual([...x], peer.flacformats_physical_17_401_ch2_0[c], `channel ${c}`));
});

const FRAMES = 32768;
const ramp = (i: number) => (i % 65536) - 32768;
const perm = (i: number) => ((i * 40503) % 65536) - 32768;
const bytes = (i: number) => ((i * 37) % 256) - 128;
const saw = (i: number) => (i === 5 ? 2 ** 23 - 1 : i === 6 ? -(2 ** 23) : ((i * 1021) % 2 ** 24) - 2 ** 23);
const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

test('libsndfile-written FLAC: every 16-bit value in a 2-channel file at 2 samples per frame, every 8-bit value after a sample offset, 24-bit extremes', async () => {
  const r = await rdrecord(EDGE, { physical: false, smoothFrames: false });
  assert.deepEqual(r.sampsPerFrame, [2, 2, 1, 1]);
  assert.deepEqual([...r.digital![0]!], seq(2 * FRAMES, ramp));
  assert.deepEqual([...r.digital![1]!], seq(2 * FRAMES, perm));
  assert.deepEqual([...r.digital![2]!], seq(FRAMES, bytes));
  assert.deepEqual([...r.digital![3]!], seq(FRAMES, saw));
  assert.deepEqual(r.checksums, ['ok', 'ok', 'ok', 'ok']);
  // Smoothed frames (mean of the 2 samples, truncated as rdsamp does) and physical units (gain 100).
  const s = rdrecordSync(EDGE, { sampfrom: 3, sampto: 9, channels: [3, 0] });
  assert.deepEqual([...s.physical![0]!], [3, 4, 5, 6, 7, 8].map((i) => (i === 6 ? NaN : saw(i) / 100)));
  assert.deepEqual([...s.physical![1]!], [3, 4, 5, 6, 7, 8].map((f) => Math.trunc((ramp(2 * f) + ramp(2 * f + 1)) / 2) / 100));
});

test('broken FLAC signal files are SignalFileErrors naming the file: cut short, damaged, wrong channel count, not FLAC', async () => {
  const dir = mkdtempSync(join(scratchRoot, 'flac-'));
  const copyRecord = (name: string, mutate: (b: Buffer) => Buffer, hea?: string) => {
    writeFileSync(join(dir, `${name}.hea`), (hea ?? readFileSync(`${W}flacformats.hea`, 'latin1')).replaceAll('flacformats', name));
    for (const k of [0, 1, 2]) copyFileSync(`${W}flacformats.d${k}`, join(dir, `${name}.d${k}`));
    writeFileSync(join(dir, `${name}.d1`), mutate(readFileSync(`${W}flacformats.d1`)));
    return join(dir, name);
  };
  const fails = (p: Promise<unknown>, re: RegExp) => assert.rejects(p, (e: unknown) => e instanceof SignalFileError && re.test((e as Error).message));
  await fails(rdrecord(copyRecord('cut', (b) => b.subarray(0, 300))), /cut\.d1: (truncated: the FLAC stream holds|damaged FLAC data)/);
  await fails(rdrecord(copyRecord('flip', (b) => { const c = Buffer.from(b); for (let i = 200; i < 260; i++) c[i] = c[i]! ^ 0x5a; return c; })), /flip\.d1: damaged FLAC data/);
  await fails(rdrecord(copyRecord('notflac', (b) => Buffer.concat([Buffer.from('RIFF'), b.subarray(4)]))), /notflac\.d1: format 516 needs a FLAC stream, but the file does not start with 'fLaC'/);
  // Two signals declared in a one-channel file.
  const two = readFileSync(`${W}flacformats.hea`, 'latin1').replace('flacformats 3 200 499', 'flacformats 4 200 499') + 'flacformats.d1 516 200/mV 16 0 0 0 0 extra\n';
  await fails(rdrecord(copyRecord('chan', (b) => b, two)), /chan\.d1: FLAC stream has 1 channels, the header has 2 signals in this file/);
  // A header that asks for more samples than the stream holds.
  await fails(rdrecord(copyRecord('long', (b) => b, readFileSync(`${W}flacformats.hea`, 'latin1').replace(' 499', ' 600'))), /long\.d0: truncated: the FLAC stream holds 499 frames, the header says 600/);
});

test('a FLAC signal with a huge skew or many samples per frame cannot make the reader allocate past the sample limit', async () => {
  const { LimitError } = await import('../errors.js');
  const dir = mkdtempSync(join(scratchRoot, 'flac-skew-'));
  copyFileSync(`${W}flacformats.d0`, join(dir, 's.d0'));
  // Found by the fuzz harness: 0 samples, a skew of 99,999,999 frames and 10^6 samples per frame.
  writeFileSync(join(dir, 's.hea'), 's 1 200 0\ns.d0 508x1000000:99999999 200/mV 8 0 0 0 0 x\n');
  assert.equal((await rdrecord(join(dir, 's'))).physical![0]!.length, 0);
  writeFileSync(join(dir, 'k.hea'), 'k 1 200 499\ns.d0 508:400 200/mV 8 0 0 0 0 x\n');
  await assert.rejects(rdrecord(join(dir, 'k'), { sampto: 10, limits: { maxSamples: 400 } }), (e: unknown) => e instanceof LimitError && /k\.hea line 1: reading 410 frames of 1 signal\(s\) is 410 samples; the limit is 400/.test((e as Error).message));
  // Within the limit, the skewed signal reads its samples from 400 frames later (as the stream holds them).
  const r = await rdrecord(join(dir, 'k'), { sampto: 10, physical: false });
  assert.deepEqual([...r.digital![0]!], peer.flacformats.digital[0]!.slice(400, 410));
});
