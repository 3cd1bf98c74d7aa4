// `ecglab info` and `ecglab convert`, run in-process on a program holding only these two commands
// (the full CLI also loads the engine's native addon, which these commands do not need).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { rdrecord } from '@ecglab/data';
import { register as info } from './info.js';
import { register as convert } from './convert.js';

// Every temporary folder of this file's tests is made in this one, removed when they end.
const scratchRoot = mkdtempSync(join(tmpdir(), 'ecglab-convert-test-'));
after(() => rmSync(scratchRoot, { recursive: true, force: true }));

const W = fileURLToPath(new URL('../../../../fixtures/data/wfdb/', import.meta.url));
const CINC = fileURLToPath(new URL('../../../../fixtures/data/cinc2017/training2017/', import.meta.url));

async function run(args: string[]): Promise<{ out: string; err: string }> {
  const program = new Command('ecglab').exitOverride().configureOutput({ writeErr: () => undefined });
  let out = '', err = '';
  const io = { out: (s: string) => { out += s; }, err: (s: string) => { err += s; } };
  info(program, io);
  convert(program, io);
  await program.parseAsync(args, { from: 'user' });
  return { out, err };
}

test('info prints header fields and per-signal physical min/max/mean and checksum status', async () => {
  const { out } = await run(['info', `${W}100_3chan`]);
  assert.match(out, /^record 100_3chan: 3 signals, 360 Hz, 999 samples \(2\.775 s\)/);
  assert.match(out, /0\s+I\s+mV\s+200\s+1024\s+212\s+-?\d.*\s+0\s+ok/);
  const r = await rdrecord(`${W}100_3chan`);
  const json = JSON.parse((await run(['info', `${W}100_3chan`, '--json'])).out);
  assert.equal(json.signals[1].min, Math.min(...r.physical![1]!));
  assert.equal(json.signals[1].max, Math.max(...r.physical![1]!));
  assert.ok(Math.abs(json.signals[1].mean - r.physical![1]!.reduce((a, b) => a + b, 0) / 999) < 1e-12);
  assert.deepEqual(json.signals.map((s: { checksum: string }) => s.checksum), ['ok', 'ok', 'ok']);
});

test('info on a CinC 2017 record reports the zero checksum field as not computed', async () => {
  const json = JSON.parse((await run(['info', `${CINC}A00614`, '--json'])).out);
  assert.equal(json.signals[0].checksum, 'not-computed');
  assert.deepEqual([json.fs, json.sigLen], [300, 9000]);
});

test('convert --to wfdb --fmt 212 / 80 / 16 reads back with the same digital values', async () => {
  const dir = mkdtempSync(join(scratchRoot, 'convert-'));
  const src = await rdrecord(`${W}100_3chan`, { physical: false });
  for (const fmt of ['16', '212']) {
    await run(['convert', `${W}100_3chan`, '-o', join(dir, `c${fmt}`), '--to', 'wfdb', '--fmt', fmt]);
    const back = await rdrecord(join(dir, `c${fmt}`), { physical: false });
    assert.deepEqual(back.digital, src.digital);
    assert.equal(back.fmt[0], Number(fmt));
  }
  // 100_3chan's values (up to 11 bits) do not fit format 80: rescaled from physical, with a note.
  const { err } = await run(['convert', `${W}100_3chan`, '-o', join(dir, 'c80'), '--to', 'wfdb', '--fmt', '80']);
  assert.match(err, /rescaled from physical units/);
  const p = await rdrecord(join(dir, 'c80'));
  const orig = await rdrecord(`${W}100_3chan`);
  const step = 1 / p.adcGain[0]!;
  orig.physical![0]!.forEach((v, i) => assert.ok(Math.abs(p.physical![0]![i]! - v) <= step / 2 + 1e-12));
});

test('convert --to npy writes [signals, samples] float32 or int16 per the NPY 1.0 spec', async () => {
  const dir = mkdtempSync(join(scratchRoot, 'npy-'));
  await run(['convert', `${CINC}A00614`, '-o', join(dir, 'a.npy'), '--to', 'npy']);
  const b = readFileSync(join(dir, 'a.npy'));
  const hlen = b.readUInt16LE(8);
  assert.equal(b.subarray(0, 8).toString('latin1'), '\x93NUMPY\x01\x00');
  assert.equal(b.subarray(10, 10 + hlen).toString('latin1').trimEnd(), "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 9000), }");
  const r = await rdrecord(`${CINC}A00614`);
  const data = new Float32Array(b.buffer.slice(b.byteOffset + 10 + hlen, b.byteOffset + b.length));
  assert.deepEqual(data, Float32Array.from(r.physical![0]!));
  await run(['convert', `${CINC}A00614`, '-o', join(dir, 'd.npy'), '--to', 'npy', '--dtype', 'int16']);
  const d = readFileSync(join(dir, 'd.npy'));
  assert.match(d.subarray(10, 10 + d.readUInt16LE(8)).toString('latin1'), /'descr': '<i2'.*'shape': \(1, 9000\)/);
  const digital = (await rdrecord(`${CINC}A00614`, { physical: false })).digital![0]!;
  assert.deepEqual(new Int16Array(d.buffer.slice(d.byteOffset + 128)), Int16Array.from(digital));
});

test('convert --to csv writes time and physical columns; invalid samples are empty', async () => {
  const dir = mkdtempSync(join(scratchRoot, 'csv-'));
  await run(['convert', `${W}test01_00s_skewframe`, '-o', join(dir, 'x.csv'), '--to', 'csv']);
  const lines = readFileSync(join(dir, 'x.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(lines[0], 'time,ECG_1 (mV),ECG_2 (mV),ECG_3 (mV)');
  assert.equal(lines.length, 4001);
  // Signal 1 has 2 samples per frame (-8, -57): averaged in digital units and truncated, as rdsamp does.
  assert.equal(lines[1], '0,0.14,-0.32,-0.66');
  assert.match(lines[4000]!, /^7\.998,,/); // signal 0 is skewed past the file's end
});

test('bad arguments are rejected with a message naming them', async () => {
  await assert.rejects(run(['convert', `${W}100_3chan`, '-o', '/tmp/x', '--to', 'edf']), /expected wfdb, csv or npy, got 'edf'/);
  await assert.rejects(run(['info', `${W}nothere`]), /nothere\.hea: header file not found/);
});
