// Agreement with scipy 1.10 outputs written by packages/data/fixtures/dsp/make_dsp_fixtures.py
// (run: /usr/bin/python3 packages/data/fixtures/dsp/make_dsp_fixtures.py). Tolerances are stated
// per check as max |ours - scipy| / max(1, max |scipy|).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError } from '../errors.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  butter, filtfilt, iirnotch, lfilter, lfilterZi, medfilt, removeBaseline,
  resamplePoly, resampleSignal, selectLeads, sosfiltfilt, sosfiltZi, type BandType,
} from './index.js';

interface Fx {
  ecg: number[];
  rand: number[];
  resample_poly: { input: 'ecg' | 'rand'; up: number; down: number; y: number[] }[];
  butter: {
    order: number; wn: number[]; btype: BandType; fs: number; sos: number[]; sosfilt_zi: number[];
    sosfiltfilt_ecg: number[]; sosfiltfilt_rand: number[];
    b?: number[]; a?: number[]; lfilter_zi?: number[]; filtfilt_ecg?: number[]; lfilter_ecg?: number[];
  }[];
  iirnotch: { f0: number; q: number; fs: number; b: number[]; a: number[]; filtfilt_ecg: number[] }[];
  sosfiltfilt_padlen: { padlen: number; y: number[] }[];
  medfilt: { kernel: number; y: number[] }[];
  baseline_median: number[];
}
const fx = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/dsp/dsp_fixtures.json', import.meta.url)), 'utf8')) as Fx;
const ecg = Float64Array.from(fx.ecg);
const rand = Float64Array.from(fx.rand);

function close(ours: ArrayLike<number>, ref: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(ours.length, ref.length, `${what}: length`);
  let scale = 1;
  for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]!));
  let worst = 0;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - ref[i]!));
  assert.ok(worst / scale <= tol, `${what}: max error ${worst} (scale ${scale}) > ${tol}`);
}

test('resamplePoly matches scipy.signal.resample_poly within 1e-12', () => {
  for (const c of fx.resample_poly) {
    const x = c.input === 'ecg' ? ecg : rand;
    close(resamplePoly(x, c.up, c.down), c.y, 1e-12, `resample_poly ${c.input} ${c.up}/${c.down}`);
  }
});

test('resampleSignal converts 500 Hz to 360 Hz as resample_poly(18, 25)', () => {
  const ref = fx.resample_poly.find((c) => c.input === 'ecg' && c.up === 18 && c.down === 25)!;
  const [y] = resampleSignal([ecg], 500, 360);
  close(y!, ref.y, 1e-12, '500→360');
});

test('butter matches scipy.signal.butter(output="sos") section by section within 1e-10', () => {
  for (const d of fx.butter) {
    const wn = d.btype === 'bandpass' ? ([d.wn[0]!, d.wn[1]!] as [number, number]) : d.wn[0]!;
    const sos = butter(d.order, wn, d.btype, d.fs);
    const what = `butter(${d.order}, ${d.wn}, ${d.btype}, fs=${d.fs})`;
    close(sos, d.sos, 1e-10, what);
    close(sosfiltZi(sos), d.sosfilt_zi, 1e-9, `${what} sosfilt_zi`);
    close(sosfiltfilt(sos, ecg), d.sosfiltfilt_ecg, 1e-9, `${what} sosfiltfilt ecg`);
    close(sosfiltfilt(sos, rand), d.sosfiltfilt_rand, 1e-9, `${what} sosfiltfilt rand`);
  }
});

// [b, a] of a 6th-order band-pass is ill-conditioned (poles near z = 1), so the linear solve for
// lfilter_zi differs from LAPACK's at ~1e-9; the filtered outputs still agree to 1e-8.
test('lfilter, lfilter_zi and filtfilt match scipy for low-order [b, a] within 1e-8', () => {
  let n = 0;
  for (const d of fx.butter) {
    if (!d.b || !d.a) continue;
    const b = Float64Array.from(d.b);
    const a = Float64Array.from(d.a);
    close(lfilterZi(b, a), d.lfilter_zi!, 1e-8, `lfilter_zi order ${d.order} ${d.btype}`);
    close(lfilter(b, a, ecg), d.lfilter_ecg!, 1e-8, `lfilter order ${d.order} ${d.btype}`);
    close(filtfilt(b, a, ecg), d.filtfilt_ecg!, 1e-8, `filtfilt order ${d.order} ${d.btype}`);
    n++;
  }
  assert.ok(n >= 3);
});

test('iirnotch coefficients and notch filtering match scipy', () => {
  for (const d of fx.iirnotch) {
    const [b, a] = iirnotch(d.f0, d.q, d.fs);
    close(b, d.b, 1e-14, `iirnotch b ${d.f0}`);
    close(a, d.a, 1e-14, `iirnotch a ${d.f0}`);
    close(filtfilt(b, a, ecg), d.filtfilt_ecg, 1e-10, `notch filtfilt ${d.f0}`);
  }
});

test('sosfiltfilt honours padlen like scipy (0, 5, 100)', () => {
  const sos = butter(2, 0.5, 'highpass', 500);
  for (const c of fx.sosfiltfilt_padlen) close(sosfiltfilt(sos, ecg, c.padlen), c.y, 1e-9, `padlen ${c.padlen}`);
  assert.throws(() => sosfiltfilt(sos, ecg.subarray(0, 9)), /sosfiltfilt: 'x' must be longer than padlen \(9\) samples, got 9/);
});

test('medfilt and the two-median baseline match scipy.signal.medfilt exactly', () => {
  for (const c of fx.medfilt) close(medfilt(ecg, c.kernel), c.y, 0, `medfilt ${c.kernel}`);
  const [y] = removeBaseline([ecg], 500, { kind: 'median' });
  close(y!, fx.baseline_median, 1e-15, 'baseline median 200/600 ms');
});

test('removeBaseline highpass equals sosfiltfilt with butter(2, 0.5 Hz)', () => {
  const [y] = removeBaseline([ecg], 500);
  assert.deepEqual(y, sosfiltfilt(butter(2, 0.5, 'highpass', 500), ecg));
});

test('selectLeads is case-insensitive, reorders, and names a missing lead', () => {
  const a = Float64Array.of(1, 2);
  const b = Float64Array.of(3, 4);
  const r = selectLeads([a, b], ['I', 'AVR'], ['aVR', 'i']);
  assert.deepEqual(r.signal, [b, a]);
  assert.deepEqual(r.names, ['aVR', 'I']);
  assert.throws(() => selectLeads([a, b], ['I', 'AVR'], ['V1'], { source: 'A0001' }), (e: unknown) => e instanceof DataError && /lead V1 missing from A0001 \(has I, AVR\)/.test(e.message));
  const z = selectLeads([a, b], ['I', 'AVR'], ['V1', 'I'], { missing: 'zeros' });
  assert.deepEqual(z.absent, [0]);
  assert.deepEqual(z.signal[0], new Float64Array(2));
});

test('argument errors name the function and argument', () => {
  assert.throws(() => butter(4, 300, 'lowpass', 500), /butter: 'wn' must lie in \(0, fs\/2 = 250\) Hz, got 300/);
  assert.throws(() => butter(2, 1, 'bandpass', 500), /butter: 'wn' must be \[low, high\]/);
  assert.throws(() => resamplePoly(ecg, 0, 1), /resamplePoly: 'up' must be an integer >= 1, got 0/);
  assert.throws(() => medfilt(ecg, 4), /medfilt: 'kernel' must be an odd integer/);
  assert.throws(() => removeBaseline([ecg, Float64Array.of(1)], 500), /leads must have equal lengths/);
});
