import { readFileSync } from 'node:fs';
import type { EcgRecord } from '../options.js';

/**
 * Test helper: reads a PTB-XL record (WFDB format 16, one .dat of interleaved int16) into
 * millivolts. Only for the render package's tests, which must not depend on @ecglab/data's progress;
 * the CLI reads records through @ecglab/data.
 */
export function readPtbxl(base: string): EcgRecord {
  const lines = readFileSync(`${base}.hea`, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const [, nsig, fs, nsamp] = (lines[0] as string).split(/\s+/);
  const chans = lines.slice(1, 1 + Number(nsig)).map((l) => {
    const f = l.split(/\s+/);
    if (f[1] !== '16') throw new Error(`readPtbxl: ${base}.hea: format ${f[1]} is not 16`);
    return { gain: parseFloat(f[2] as string), baseline: Number(/\((-?\d+)\)/.exec(f[2] as string)?.[1] ?? 0), name: f[8] as string };
  });
  const buf = readFileSync(`${base}.dat`);
  const n = Number(nsamp);
  const k = chans.length;
  const signals = chans.map((c, j) => {
    const s = new Float32Array(n);
    for (let i = 0; i < n; i++) s[i] = (buf.readInt16LE((i * k + j) * 2) - c.baseline) / c.gain;
    return s;
  });
  return { id: base.split('/').pop() as string, signals, fs: Number(fs), leadNames: chans.map((c) => c.name) };
}
