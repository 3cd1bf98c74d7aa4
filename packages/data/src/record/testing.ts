// Records and bad inputs shared by the tests of readRecord's twins (readRecordSync, RecordReadPool): every file
// form readRecord takes, with the options that change what it reads, and inputs it refuses.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, WFDB_FIXTURES as W } from '../wfdb/testing.js';
import type { ReadRecordOptions } from './read.js';
import type { EcgRecord } from './record.js';

export const READ_CASES: [string, ReadRecordOptions][] = [
  [`${FIXTURES}ptbxl/records500/00000/00017_hr`, {}], // format 16, 12 leads
  [`${FIXTURES}cinc2017/training2017/A00067`, { id: 'a67' }], // MAT v4 16+24 signal file (CinC 2017)
  [`${FIXTURES}cinc2017/training2017/A00067.hea`, { maxSeconds: 10 }],
  [`${FIXTURES}cpsc2018/Training_WFDB/A0003.mat`, {}], // CinC 2020 form: a .mat beside its .hea
  [`${FIXTURES}cpsc2018/TrainingSet1/A1980.mat`, {}], // CPSC 2018 original: header-less MAT v5 struct
  [`${FIXTURES}cpsc2018/TrainingSet1/A1980.mat`, { id: 'x', maxSeconds: 2 }],
  [`${FIXTURES}nstdb/bw`, {}], // format 212, two signals
  [`${W}100_3chan`, { channels: [2, 0] }],
  [`${W}binformats`, {}], // 10 formats
  [`${W}flacformats`, {}], // FLAC 508/516/524: the decoder loads asynchronously
  [`${W}multi-segment/fixed1/v102s`, { maxSeconds: 20, channels: [1, 0] }],
  [`${W}multi-segment/041s/041s`, { nonVoltage: 'drop' }], // variable layout, an ABP signal dropped
];

/** Inputs readRecord refuses, each with the options that make it fail. */
export function badCases(): [string, ReadRecordOptions][] {
  const dir = badHeaderDir();
  return [
    [`${W}no-such-record`, {}],
    [join(dir, 'bad'), {}], // a sampling rate that is not a number
    [`${W}multi-segment/041s/041s`, {}], // a signal in mmHg
    [`${W}100_3chan`, { channels: [5] }],
    [`${FIXTURES}nstdb/bw`, { maxSeconds: 0 }],
    [`${FIXTURES}cpsc2018/TrainingSet1/A9999.mat`, {}],
  ];
}

// One folder with a bad header per process, removed when the process exits (each call made one and left it).
let badDir: string | undefined;
function badHeaderDir(): string {
  if (badDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'ecglab-read-bad-'));
    writeFileSync(join(dir, 'bad.hea'), 'bad 1 abc 100\nbad.dat 16 200 16 0 0 0 0 I\n');
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    badDir = dir;
  }
  return badDir;
}

/** Asserts two records equal, signals bit for bit. */
export function assertSameRecord(got: EcgRecord, want: EcgRecord, what: string): void {
  assert.deepEqual({ ...got, signals: [] }, { ...want, signals: [] }, what);
  assert.equal(got.signals.length, want.signals.length, what);
  got.signals.forEach((s, j) => {
    const w = want.signals[j]!;
    assert.ok(s instanceof Float32Array, `${what} lead ${j}`);
    assert.ok(Buffer.from(s.buffer, s.byteOffset, s.byteLength).equals(Buffer.from(w.buffer, w.byteOffset, w.byteLength)), `${what} lead ${j} differs`);
  });
}

/** Asserts two errors alike: class, message, code and file. */
export function assertSameError(got: unknown, want: unknown, what: string): void {
  assert.ok(want instanceof Error, `${what}: the reference did not fail`);
  assert.ok(got instanceof Error, `${what}: did not fail`);
  assert.equal(got.constructor, want.constructor, `${what}: ${got.name} instead of ${want.name}`);
  assert.equal(got.message, want.message, what);
  assert.equal((got as { code?: string }).code, (want as { code?: string }).code, what);
  assert.equal((got as { file?: string }).file, (want as { file?: string }).file, what);
}
