// Variable-layout multi-segment record s25047 (MIMIC II; segments store lead II at different gains),
// checked against wfdb-python 4.3.1 (packages/data/fixtures/wfdb-peer/make_wfdb_peer.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RangeRequestError } from '../errors.js';
import { rdrecord, rdrecordSync } from './index.js';
import { WFDB_FIXTURES as W } from './testing.js';

const peer = JSON.parse(readFileSync(new URL('../../fixtures/wfdb-peer/wfdb-peer.json', import.meta.url), 'utf8')) as {
  s25047: { sampto: number; step: number; sig_name: string[]; physical: (number | null)[][]; digital_error: string };
};
const S25047 = `${W}multi-segment/s25047/s25047-2704-05-04-10-44`;

test('s25047 in physical units equals wfdb-python over the layout, the gap and 14 segments', async () => {
  const { sampto, step, sig_name, physical } = peer.s25047;
  const r = await rdrecord(S25047, { sampto });
  assert.deepEqual(r.sigName, sig_name);
  physical.forEach((want, c) => {
    want.forEach((w, i) => {
      const g = r.physical![c]![i * step]!;
      if (w === null) assert.ok(Number.isNaN(g), `signal ${c} frame ${i * step}: got ${g}, wfdb-python NaN`);
      else assert.ok(Math.abs(g - w) <= 1e-12 * Math.max(1, Math.abs(w)), `signal ${c} frame ${i * step}: got ${g}, wfdb-python ${w}`);
    });
  });
});

test('s25047 read as digital across segments of different gains is refused, as wfdb-python refuses it', async () => {
  assert.match(peer.s25047.digital_error, /cannot be converted to single segment, in digital format/);
  const re = /s25047-2704-05-04-10-44: signal II has gain 86 and baseline 0 in segment 3234460_0001 but 67 and 0 in segment 3234460_0002, so its digital samples have no single scale; read it in physical units/;
  await assert.rejects(rdrecord(S25047, { sampto: peer.s25047.sampto, physical: false }), (e: unknown) => e instanceof RangeRequestError && re.test((e as Error).message));
  assert.throws(() => rdrecordSync(S25047, { sampto: peer.s25047.sampto, physical: false }), re);
});

test('s25047 digital within one segment reports that segment\'s gain and baseline, which convert its samples back', async () => {
  // Frames 26000-26999 lie in segment 3234460_0001 (II at 86/mV, V at 67/mV, baseline 0); ABP is absent.
  const d = await rdrecord(S25047, { sampfrom: 26000, sampto: 27000, physical: false });
  const p = await rdrecord(S25047, { sampfrom: 26000, sampto: 27000 });
  assert.deepEqual(d.adcGain.slice(0, 2), [86, 67]);
  assert.deepEqual(d.baseline.slice(0, 2), [0, 0]);
  for (const c of [0, 1]) {
    const back = [...d.digital![c]!].map((v) => (v - d.baseline[c]!) / d.adcGain[c]!);
    assert.deepEqual(back, [...p.physical![c]!]);
  }
  assert.deepEqual([...d.digital![2]!], new Array(1000).fill(-256)); // ABP: absent, invalid at its 9 bits
});
