import type { EcgRecord } from '../options.js';

export const TWELVE = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];

/** 12 smooth leads (sums of 0.7–10 Hz sines, up to 1.4 mV): detail well above the pen's width. */
export function smoothRecord(fs = 500, seconds = 10, leads = TWELVE): EcgRecord {
  const n = Math.round(fs * seconds);
  const signals = leads.map((_, c) => {
    const s = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const t = i / fs;
      s[i] = 0.8 * Math.sin(2 * Math.PI * (0.7 + 0.1 * c) * t + c) + 0.4 * Math.sin(2 * Math.PI * (3 + 0.3 * c) * t) + 0.2 * Math.sin(2 * Math.PI * 7 * t + 2 * c);
    }
    return s;
  });
  return { id: 'smooth', signals, fs, leadNames: [...leads], meta: { age: 50, sex: 'F' } };
}

/**
 * Zero-phase 2nd-order Butterworth low-pass (forward and backward): the 40 Hz display filter an ECG
 * machine applies before printing.
 */
export function lowpass(x: ArrayLike<number>, fc: number, fs: number): Float32Array {
  const K = Math.tan((Math.PI * fc) / fs);
  const n = 1 / (1 + Math.SQRT2 * K + K * K);
  const b0 = K * K * n;
  const a1 = 2 * (K * K - 1) * n;
  const a2 = (1 - Math.SQRT2 * K + K * K) * n;
  const run = (v: Float32Array): Float32Array => {
    const y = new Float32Array(v.length);
    let x1 = v[0]!;
    let x2 = x1;
    let y1 = x1;
    let y2 = x1;
    for (let i = 0; i < v.length; i++) {
      const out = b0 * (v[i]! + 2 * x1 + x2) - a1 * y1 - a2 * y2;
      x2 = x1;
      x1 = v[i]!;
      y2 = y1;
      y1 = out;
      y[i] = out;
    }
    return y;
  };
  return run(run(Float32Array.from(x)).reverse()).reverse();
}
