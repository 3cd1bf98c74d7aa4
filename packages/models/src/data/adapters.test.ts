// The adapter-backed datasets (cpsc2018, cinc2021, wfdb-folder) on the real fixture records: class
// lists, multi-hot targets checked against REFERENCE.csv / the headers' #Dx read here independently,
// lead matching by name, resampling, the CLI specs, and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWfdb, wrsampSync } from '@ecglab/data';
import { loadDataset, parseDatasetSpec } from './datasets.js';
import type { DatasetConfig } from '../config/types.js';

const fixtures = fileURLToPath(new URL('../../../../fixtures/data/', import.meta.url));
const cpsc = join(fixtures, 'cpsc2018');
const cinc21 = join(fixtures, 'cinc2021');
const tmp = mkdtempSync(join(tmpdir(), 'ecglab-adapters-'));

const CPSC_CLASSES = ['Normal', 'AF', 'I-AVB', 'LBBB', 'RBBB', 'PAC', 'PVC', 'STD', 'STE'];
/** REFERENCE.csv read here: record → class names (codes 1..9 in CPSC_CLASSES order). */
function cpscReference(): Map<string, string[]> {
  const lines = readFileSync(join(cpsc, 'REFERENCE.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
  return new Map(lines.map((l) => {
    const [id, ...codes] = l.split(',');
    return [id!, codes.filter((c) => c.trim() !== '').map((c) => CPSC_CLASSES[Number(c) - 1]!)];
  }));
}
const positives = (classes: string[], t: Float32Array) => classes.filter((_, i) => t[i] === 1).sort();

/** A WFDB folder in a temp dir: copies of fixture records and a labels CSV. */
function wfdbFolder(name: string, records: [string, string][], csv: string): string {
  const d = join(tmp, name);
  mkdirSync(d);
  for (const [src, id] of records) for (const ext of ['.hea', '.mat']) copyFileSync(join(src, `${id}${ext}`), join(d, `${id}${ext}`));
  writeFileSync(join(d, 'labels.csv'), csv);
  return d;
}

test('cpsc2018: both forms (10 WFDB + 1 original .mat), the 9 classes, multi-hot targets as REFERENCE.csv says', async () => {
  const ds = await loadDataset({ kind: 'cpsc2018', path: cpsc, limit: 0 });
  assert.equal(ds.name, 'cpsc2018');
  assert.equal(ds.task, 'multi-label');
  assert.deepEqual(ds.classes, CPSC_CLASSES);
  const ref = cpscReference();
  assert.deepEqual(ds.records.map((r) => r.id), [...ref.keys()].sort());
  assert.equal(ds.records.length, 11);
  for (const r of ds.records) {
    assert.deepEqual(positives(ds.classes, r.targets), [...ref.get(r.id)!].sort(), r.id);
    assert.equal(r.fs, 500);
    assert.equal(r.signal.length, 12);
  }
  assert.deepEqual(positives(ds.classes, ds.records.find((r) => r.id === 'A0079')!.targets), ['AF', 'RBBB']);
  assert.deepEqual(ds.leads, ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6']);
  // One form only, by naming its folder.
  const wfdbOnly = await loadDataset({ kind: 'cpsc2018', path: cpsc, limit: 0, wfdbDir: join(cpsc, 'Training_WFDB') });
  assert.equal(wfdbOnly.records.length, 10);
  const matOnly = await loadDataset({ kind: 'cpsc2018', path: join(cpsc, 'TrainingSet1'), reference: join(cpsc, 'REFERENCE.csv'), limit: 0 });
  assert.deepEqual(matOnly.records.map((r) => r.id), ['A1980']);
});

test('cinc2021: the 26 scored classes with equivalent pairs merged; targets from each header\'s #Dx; resampled to fs', async () => {
  const scored = new Map(
    readFileSync(join(cinc21, 'dx_mapping_scored.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => {
      const f = l.split(',');
      return [f[1]!.trim(), f[2]!.trim()] as const; // SNOMEDCTCode → Abbreviation
    }),
  );
  const ds = await loadDataset({ kind: 'cinc2021', path: cinc21, limit: 0, recursive: true });
  assert.equal(ds.task, 'multi-label');
  assert.equal(ds.classes.length, 26);
  for (const pair of ['CRBBB|RBBB', 'PAC|SVPB', 'PVC|VPB', 'CLBBB|LBBB']) assert.ok(ds.classes.includes(pair), pair);
  const dir = join(cinc21, 'training_data');
  const ids = readdirSync(dir).filter((f) => f.endsWith('.hea')).map((f) => f.slice(0, -4)).sort();
  assert.deepEqual(ds.records.map((r) => r.id).sort(), ids);
  for (const r of ds.records) {
    const dx = /^#\s*Dx:\s*(.*)$/m.exec(readFileSync(join(dir, `${r.id}.hea`), 'utf8'))![1]!.split(',').map((c) => c.trim());
    const abbrs = dx.flatMap((c) => (scored.has(c) ? [scored.get(c)!] : []));
    const expected = ds.classes.filter((c) => c.split('|').some((a) => abbrs.includes(a))).sort();
    assert.deepEqual(positives(ds.classes, r.targets), expected, r.id);
  }
  assert.ok(ds.records.some((r) => r.targets.reduce((a, b) => a + b, 0) > 1), 'a record with several scored labels');
  const at250 = await loadDataset({ kind: 'cinc2021', path: cinc21, limit: 0, recursive: true, fs: 250 });
  for (const [i, r] of at250.records.entries()) {
    assert.equal(r.fs, 250);
    assert.equal(r.signal[0]!.length, ds.records[i]!.signal[0]!.length / 2);
  }
});

test('wfdb-folder: single-label when each record has one label, multi-label otherwise or when asked; leads matched by name', async () => {
  const src = join(cinc21, 'training_data');
  const d = wfdbFolder('single', [[src, 'A1041'], [src, 'HR19293'], [src, 'E09657']], 'record,labels\nA1041,AF\nHR19293,NSR\nE09657,AF\n');
  // A copy of HR19293 with its leads stored in reverse order and lower-case names.
  const orig = await loadWfdb('HR19293', join(d, 'HR19293'));
  wrsampSync(join(d, 'REV'), { fs: orig.fs, sigName: [...orig.leads].reverse().map((n) => n.toLowerCase()), physical: [...orig.signal].reverse(), fmt: 16 });
  writeFileSync(join(d, 'labels.csv'), 'record,labels\nA1041,AF\nHR19293,NSR\nE09657,AF\nREV,NSR\n');
  const cfg: DatasetConfig = { kind: 'wfdb-folder', path: d, limit: 0, idColumn: 'record', labelColumn: 'labels', separator: ';', recursive: false };
  const ds = await loadDataset(cfg);
  assert.equal(ds.task, 'single-label');
  assert.deepEqual(ds.classes, ['AF', 'NSR']);
  assert.deepEqual(ds.records.map((r) => [r.id, r.label]), [['A1041', 0], ['E09657', 0], ['HR19293', 1], ['REV', 1]]);
  assert.deepEqual(ds.leads, orig.leads);
  const a = ds.records.find((r) => r.id === 'HR19293')!;
  const b = ds.records.find((r) => r.id === 'REV')!;
  for (let lead = 0; lead < 12; lead++) {
    const worst = a.signal[lead]!.reduce((m, v, i) => Math.max(m, Math.abs(v - b.signal[lead]![i]!)), 0);
    assert.ok(worst < 0.01, `lead ${orig.leads[lead]}: the reordered copy differs by ${worst} mV`);
  }
  // A subset of leads, by name, in the asked order.
  const two = await loadDataset({ ...cfg, leads: ['v1', 'II'] });
  assert.deepEqual(two.records[0]!.signal.map((l) => l[100]), [0, 0].map((_, i) => ds.records[0]!.signal[[6, 1][i]!]![100]));
  const multi = await loadDataset({ ...cfg, task: 'multi-label' });
  assert.equal(multi.task, 'multi-label');
  writeFileSync(join(d, 'labels2.csv'), 'record,labels\nA1041,AF;LBBB\nHR19293,NSR\n');
  const auto = await loadDataset({ ...cfg, labels: join(d, 'labels2.csv') });
  assert.equal(auto.task, 'multi-label');
  assert.deepEqual(auto.classes, ['AF', 'LBBB', 'NSR']);
  assert.deepEqual(Array.from(auto.records[0]!.targets), [1, 1, 0]);
});

test('bad input: absent records in the labels CSV, missing files, single-label with several labels, missing leads, mixed rates', async () => {
  const src = join(cinc21, 'training_data');
  const d = wfdbFolder('bad', [[src, 'A1041'], [src, 'HR19293']], 'record,labels\nA1041,AF\nHR19293,NSR\nNOPE,AF\n');
  const cfg: DatasetConfig = { kind: 'wfdb-folder', path: d, limit: 0, idColumn: 'record', labelColumn: 'labels', separator: ';', recursive: false };
  const csv = join(d, 'labels.csv');
  await assert.rejects(loadDataset(cfg), (e: Error) => e.message.includes(csv) && /names 1 record not found in .*: 'NOPE' \(line 4\)/.test(e.message));
  writeFileSync(csv, 'record,labels\nA1041,AF;LBBB\nHR19293,NSR\n');
  await assert.rejects(loadDataset({ ...cfg, task: 'single-label' }), (e: Error) => e.message.startsWith(`${csv}: task 'single-label' needs exactly one label per record`) && /A1041 \(2\)/.test(e.message));
  await assert.rejects(loadDataset({ ...cfg, leads: ['II', 'X9'] }), /asks for lead X9 missing from record A1041 of .*bad/);
  await assert.rejects(loadDataset({ ...cfg, path: join(d, 'nothing') }), /nothing: wfdb-folder folder not found/);
  await assert.rejects(loadDataset({ ...cfg, labels: join(d, 'none.csv') }), /none\.csv: labels CSV \(set data\.labels to another file\) not found/);
  await assert.rejects(loadDataset({ kind: 'cpsc2018', path: d, limit: 0 }), /REFERENCE\.csv: CPSC 2018 label file/);
  await assert.rejects(loadDataset({ kind: 'cinc2021', path: d, limit: 0, recursive: true }), /dx_mapping_scored\.csv: the challenge's scored-class table/);
  // A record at 250 Hz beside 500 Hz ones: an error without data.fs, resampled with it.
  const orig = await loadWfdb('HR19293', join(d, 'HR19293'));
  wrsampSync(join(d, 'SLOW'), { fs: 250, sigName: orig.leads, physical: orig.signal.map((l) => l.filter((_, i) => i % 2 === 0)), fmt: 16 });
  writeFileSync(csv, 'record,labels\nA1041,AF\nHR19293,NSR\nSLOW,NSR\n');
  await assert.rejects(loadDataset(cfg), /records come at different rates \(A1041 at 500 Hz, SLOW at 250 Hz\); set data\.fs/);
  const resampled = await loadDataset({ ...cfg, fs: 500 });
  assert.deepEqual(resampled.records.map((r) => [r.fs, r.signal[0]!.length]), [[500, 8500], [500, 5000], [500, 5000]]);
});

test('dataset specs of the adapter kinds: KIND:PATH[:KEY=FILE][:SPLITFILE]', () => {
  const labels = join(tmp, 'l.csv');
  writeFileSync(labels, 'record,labels\n');
  const split = join(tmp, 'split.txt');
  writeFileSync(split, 'A0003\nA0079\n');
  assert.deepEqual(parseDatasetSpec(`cpsc2018:${cpsc}`).config, { kind: 'cpsc2018', path: cpsc, limit: 0 });
  assert.deepEqual([...parseDatasetSpec(`cpsc2018:${cpsc}:${split}`).only!], ['A0003', 'A0079']);
  assert.deepEqual(parseDatasetSpec(`cinc2021:${cinc21}:scored=${labels}`).config, { kind: 'cinc2021', path: cinc21, limit: 0, recursive: true, scored: labels });
  const w = parseDatasetSpec(`wfdb-folder:${tmp}:labels=${labels}:${split}`);
  assert.deepEqual(w.config, { kind: 'wfdb-folder', path: tmp, limit: 0, idColumn: 'record', labelColumn: 'labels', separator: ';', recursive: false, labels });
  assert.equal(w.only!.size, 2);
  const refuses = (spec: string, pattern: RegExp) => assert.throws(() => parseDatasetSpec(spec), pattern);
  refuses(`cpsc2019:${cpsc}`, /unknown kind 'cpsc2019' \(known: cinc2017, ptbxl100, ptbxl100-normal, cpsc2018, cinc2021, wfdb-folder\)/);
  refuses(`wfdb-folder:${tmp}:labels=${join(tmp, 'nope.csv')}`, /labels file '.*nope\.csv' not found/);
  refuses(`wfdb-folder:${tmp}:scored=${labels}`, /unknown option 'scored=' for wfdb-folder \(known: labels=\)/);
  refuses(`cinc2017:${tmp}:labels=${labels}`, /unknown option 'labels=' for cinc2017 \(it takes none\)/);
  refuses(`cpsc2018:${cpsc}:fold=1`, /cpsc2018 has no official folds/);
  refuses(`cpsc2018:${cpsc}:${split}:${split}`, /expected at most KIND:PATH:SELECTOR/);
});
