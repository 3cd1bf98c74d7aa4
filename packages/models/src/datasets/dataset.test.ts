// Datasets on the real fixture records: the adapter-backed ones (cpsc2018, cinc2021, wfdb-folder) with class
// lists and multi-hot targets checked against REFERENCE.csv / the headers' #Dx read here independently, lead
// matching by name, resampling, the CLI specs and bad input; PTB-XL's strat_folds.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputPipeline, readRecord, wrsampSync, type EcgRecord } from '@ecglab/data';
import { openDataset, type Dataset } from './dataset.js';
import { parseDatasetSpec } from './spec.js';
import { splitDataset } from './split.js';
import type { DatasetConfig } from '../config/types.js';
import { DataSpecError } from '../errors.js';

const ALL12 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
/** Opens a dataset reading every lead of its list (what `input.leads` selects from). */
const loadDataset = (cfg: DatasetConfig, inputLeads = ALL12) => openDataset(cfg, { inputLeads });
/** The dataset's records as the model would read them (conformed by the input pipeline). */
async function recordsOf(ds: Dataset): Promise<(EcgRecord & { targets: Float32Array })[]> {
  const pipe = await InputPipeline.create({ source: ds.source(), conform: ds.conform, batchSize: 4, seed: 0 });
  return Promise.all(pipe.ids.map(async (_, i) => ({ ...(await pipe.conformed(i)), targets: ds.targets[i]! })));
}

const fixtures = fileURLToPath(new URL('../../../../fixtures/data/', import.meta.url));
const cpsc = join(fixtures, 'cpsc2018');
const cinc21 = join(fixtures, 'cinc2021');
const tmp = mkdtempSync(join(tmpdir(), 'ecglab-adapters-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

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
  assert.deepEqual(ds.ids, [...ref.keys()].sort());
  assert.equal(ds.ids.length, 11);
  const records = await recordsOf(ds);
  for (const r of records) {
    assert.deepEqual(positives(ds.classes, r.targets), [...ref.get(r.id)!].sort(), r.id);
    assert.equal(r.fs, 500);
    assert.equal(r.signals.length, 12);
  }
  assert.deepEqual(positives(ds.classes, records.find((r) => r.id === 'A0079')!.targets), ['AF', 'RBBB']);
  assert.deepEqual(ds.conform.leads, ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6']);
  // One form only, by naming its folder.
  const wfdbOnly = await loadDataset({ kind: 'cpsc2018', path: cpsc, limit: 0, wfdbDir: join(cpsc, 'Training_WFDB') });
  assert.equal(wfdbOnly.ids.length, 10);
  const matOnly = await loadDataset({ kind: 'cpsc2018', path: join(cpsc, 'TrainingSet1'), reference: join(cpsc, 'REFERENCE.csv'), limit: 0 });
  assert.deepEqual(matOnly.ids, ['A1980']);
});

test('cinc2021: the 26 scored classes with equivalent pairs merged; targets from each header\'s #Dx; resampled to fs', async () => {
  const scored = new Map(
    readFileSync(join(cinc21, 'dx_mapping_scored.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => {
      const f = l.split(',');
      return [f[1]!.trim(), f[2]!.trim()] as const; // SNOMEDCTCode → Abbreviation
    }),
  );
  const ds = await loadDataset({ kind: 'cinc2021', path: cinc21, limit: 0, recursive: true, fs: 500 });
  assert.equal(ds.task, 'multi-label');
  assert.equal(ds.classes.length, 26);
  for (const pair of ['CRBBB|RBBB', 'PAC|SVPB', 'PVC|VPB', 'CLBBB|LBBB']) assert.ok(ds.classes.includes(pair), pair);
  const dir = join(cinc21, 'training_data');
  const ids = readdirSync(dir).filter((f) => f.endsWith('.hea')).map((f) => f.slice(0, -4)).sort();
  assert.deepEqual([...ds.ids].sort(), ids);
  const records = await recordsOf(ds);
  for (const r of records) {
    const dx = /^#\s*Dx:\s*(.*)$/m.exec(readFileSync(join(dir, `${r.id}.hea`), 'utf8'))![1]!.split(',').map((c) => c.trim());
    const abbrs = dx.flatMap((c) => (scored.has(c) ? [scored.get(c)!] : []));
    const expected = ds.classes.filter((c) => c.split('|').some((a) => abbrs.includes(a))).sort();
    assert.deepEqual(positives(ds.classes, r.targets), expected, r.id);
  }
  assert.ok(records.some((r) => r.targets.reduce((a, b) => a + b, 0) > 1), 'a record with several scored labels');
  const at250 = await recordsOf(await loadDataset({ kind: 'cinc2021', path: cinc21, limit: 0, recursive: true, fs: 250 }));
  for (const [i, r] of at250.entries()) {
    assert.equal(r.fs, 250);
    assert.equal(r.signals[0]!.length, records[i]!.signals[0]!.length / 2);
  }
});

test('wfdb-folder: single-label when each record has one label, multi-label otherwise or when asked; leads matched by name', async () => {
  const src = join(cinc21, 'training_data');
  const d = wfdbFolder('single', [[src, 'A1041'], [src, 'HR19293'], [src, 'E09657']], 'record,labels\nA1041,AF\nHR19293,NSR\nE09657,AF\n');
  // A copy of HR19293 with its leads stored in reverse order and lower-case names.
  const orig = await readRecord(join(d, 'HR19293'));
  const physical = orig.signals.map((l) => Float64Array.from(l));
  wrsampSync(join(d, 'REV'), { fs: orig.fs, sigName: [...orig.leadNames].reverse().map((n) => n.toLowerCase()), physical: [...physical].reverse(), fmt: 16 });
  writeFileSync(join(d, 'labels.csv'), 'record,labels\nA1041,AF\nHR19293,NSR\nE09657,AF\nREV,NSR\n');
  const cfg: DatasetConfig = { kind: 'wfdb-folder', path: d, limit: 0, idColumn: 'record', labelColumn: 'labels', separator: ';', recursive: false };
  const ds = await loadDataset(cfg);
  assert.equal(ds.task, 'single-label');
  assert.deepEqual(ds.classes, ['AF', 'NSR']);
  assert.deepEqual(ds.ids.map((id, i) => [id, ds.labels[i]]), [['A1041', 0], ['E09657', 0], ['HR19293', 1], ['REV', 1]]);
  assert.deepEqual(ds.conform.leads, orig.leadNames);
  const records = await recordsOf(ds);
  const a = records.find((r) => r.id === 'HR19293')!;
  const b = records.find((r) => r.id === 'REV')!;
  for (let lead = 0; lead < 12; lead++) {
    const worst = a.signals[lead]!.reduce((m, v, i) => Math.max(m, Math.abs(v - b.signals[lead]![i]!)), 0);
    assert.ok(worst < 0.01, `lead ${orig.leadNames[lead]}: the reordered copy differs by ${worst} mV`);
  }
  // A subset of leads, by name, in the asked order.
  const two = await recordsOf(await loadDataset({ ...cfg, leads: ['v1', 'II'] }, [0, 1]));
  assert.deepEqual(two[0]!.signals.map((l) => l[100]), [0, 0].map((_, i) => records[0]!.signals[[6, 1][i]!]![100]));
  const multi = await loadDataset({ ...cfg, task: 'multi-label' });
  assert.equal(multi.task, 'multi-label');
  writeFileSync(join(d, 'labels2.csv'), 'record,labels\nA1041,AF;LBBB\nHR19293,NSR\n');
  const auto = await loadDataset({ ...cfg, labels: join(d, 'labels2.csv') });
  assert.equal(auto.task, 'multi-label');
  assert.deepEqual(auto.classes, ['AF', 'LBBB', 'NSR']);
  assert.deepEqual(Array.from(auto.targets[0]!), [1, 1, 0]);
});

test('bad input: absent records in the labels CSV, missing files, single-label with several labels, missing leads, mixed rates', async () => {
  const src = join(cinc21, 'training_data');
  const d = wfdbFolder('bad', [[src, 'A1041'], [src, 'HR19293']], 'record,labels\nA1041,AF\nHR19293,NSR\nNOPE,AF\n');
  const cfg: DatasetConfig = { kind: 'wfdb-folder', path: d, limit: 0, idColumn: 'record', labelColumn: 'labels', separator: ';', recursive: false };
  const csv = join(d, 'labels.csv');
  await assert.rejects(loadDataset(cfg), (e: Error) => e.message.includes(csv) && /names 1 record not found in .*: 'NOPE' \(line 4\)/.test(e.message));
  writeFileSync(csv, 'record,labels\nA1041,AF;LBBB\nHR19293,NSR\n');
  await assert.rejects(loadDataset({ ...cfg, task: 'single-label' }), (e: Error) => e.message.startsWith(`${csv}: task 'single-label' needs exactly one label per record`) && /A1041 \(2\)/.test(e.message));
  await assert.rejects(async () => recordsOf(await loadDataset({ ...cfg, leads: ['II', 'X9'] }, [0, 1])), /asks for lead X9 missing from record (A1041|HR19293)/);
  await assert.rejects(loadDataset({ ...cfg, path: join(d, 'nothing') }), /nothing: wfdb-folder folder not found/);
  await assert.rejects(loadDataset({ ...cfg, labels: join(d, 'none.csv') }), /none\.csv: labels CSV \(set data\.labels to another file\) not found/);
  await assert.rejects(loadDataset({ kind: 'cpsc2018', path: d, limit: 0 }), /REFERENCE\.csv: CPSC 2018 label file/);
  await assert.rejects(loadDataset({ kind: 'cinc2021', path: d, limit: 0, recursive: true }), /dx_mapping_scored\.csv: the challenge's scored-class table/);
  // A record at 250 Hz beside 500 Hz ones: an error without data.fs, resampled with it.
  const orig = await readRecord(join(d, 'HR19293'));
  wrsampSync(join(d, 'SLOW'), { fs: 250, sigName: orig.leadNames, physical: orig.signals.map((l) => Float64Array.from(l.filter((_, i) => i % 2 === 0))), fmt: 16 });
  writeFileSync(csv, 'record,labels\nA1041,AF\nHR19293,NSR\nSLOW,NSR\n');
  await assert.rejects(async () => recordsOf(await loadDataset(cfg)), /record SLOW is at 250 Hz, the others at 500 Hz; set the rate to resample every record to \(data\.fs\)/);
  const resampled = await recordsOf(await loadDataset({ ...cfg, fs: 500 }));
  assert.deepEqual(resampled.map((r) => [r.fs, r.signals[0]!.length]), [[500, 8500], [500, 5000], [500, 5000]]);
});

test('dataset specs of the adapter kinds: KIND:PATH[:KEY=FILE][:SPLITFILE]', () => {
  const labels = join(tmp, 'l.csv');
  writeFileSync(labels, 'record,labels\n');
  const split = join(tmp, 'split.txt');
  writeFileSync(split, '# a comment line, as in configs/splits/*.txt\nA0003\n\nA0079\n');
  assert.deepEqual(parseDatasetSpec(`cpsc2018:${cpsc}`), { kind: 'cpsc2018', path: cpsc, files: {}, only: null, folds: null });
  assert.deepEqual([...parseDatasetSpec(`cpsc2018:${cpsc}:${split}`).only!], ['A0003', 'A0079']);
  assert.deepEqual(parseDatasetSpec(`cinc2021:${cinc21}:scored=${labels}`).files, { scored: labels });
  const w = parseDatasetSpec(`wfdb-folder:${tmp}:labels=${labels}:${split}`);
  assert.deepEqual([w.kind, w.path, w.files], ['wfdb-folder', tmp, { labels }]);
  assert.equal(w.only!.size, 2);
  const refuses = (spec: string, pattern: RegExp) => assert.throws(() => parseDatasetSpec(spec), pattern);
  refuses(`cpsc2019:${cpsc}`, /unknown kind 'cpsc2019' \(known: cinc2017, ptbxl100, ptbxl100-normal, cpsc2018, cinc2021, wfdb-folder\)/);
  refuses(`wfdb-folder:${tmp}:labels=${join(tmp, 'nope.csv')}`, /labels file '.*nope\.csv' not found/);
  refuses(`wfdb-folder:${tmp}:scored=${labels}`, /unknown option 'scored=' for wfdb-folder \(known: labels=\)/);
  refuses(`cinc2017:${tmp}:labels=${labels}`, /unknown option 'labels=' for cinc2017 \(it takes none\)/);
  refuses(`cpsc2018:${cpsc}:fold=1`, /cpsc2018 has no official folds/);
  refuses(`cpsc2018:${cpsc}:${split}:${split}`, /expected at most KIND:PATH:SELECTOR/);
});

const ptbxl = join(fixtures, 'ptbxl');
const cinc = join(fixtures, 'cinc2017/training2017');

test('PTB-XL records carry their official strat_fold; a fold set keeps only those folds; leads by name', async () => {
  const all = await openDataset({ kind: 'ptbxl', path: ptbxl, limit: 0, fs: 100, labels: 'superclass' }, { inputLeads: [1, 6] });
  assert.equal(all.ids.length, 16);
  const byFold = Object.fromEntries(all.ids.map((id, i) => [id, all.folds![i]]));
  // As in fixtures/data/ptbxl/ptbxl_database.csv.
  assert.deepEqual([byFold['1'], byFold['17'], byFold['63'], byFold['162'], byFold['500']], [3, 9, 10, 10, 8]);
  assert.deepEqual(all.conform, { leads: ['II', 'V1'], fs: 100 });
  const test10 = await openDataset({ kind: 'ptbxl', path: ptbxl, limit: 0, fs: 100, labels: 'superclass' }, { inputLeads: ALL12, folds: new Set([10]) });
  assert.deepEqual(test10.ids, ['63', '162']);
  await assert.rejects(openDataset({ kind: 'cinc2017', path: cinc, limit: 0 }, { inputLeads: [0], folds: new Set([1]) }), /only PTB-XL has official folds/);
  await assert.rejects(openDataset({ kind: 'ptbxl', path: ptbxl, limit: 0, fs: 100, labels: 'superclass' }, { inputLeads: [12] }), /input lead 12 does not exist \(the dataset's leads are 0:I, 1:II/);
  // CinC 2017 names its one lead ECG: read by position.
  assert.deepEqual((await openDataset({ kind: 'cinc2017', path: cinc, limit: 0 }, { inputLeads: [0] })).conform, { leadIndices: [0], fs: 300 });
});

test('dataset specs: fold=N[,N] selects PTB-XL strat_folds; other kinds and bad numbers are refused', () => {
  const s = parseDatasetSpec(`ptbxl100:${ptbxl}:fold=10`);
  assert.deepEqual([...s.folds!], [10]);
  assert.equal(s.only, null);
  assert.deepEqual([s.kind, s.path], ['ptbxl100', ptbxl]);
  assert.deepEqual([...parseDatasetSpec(`ptbxl100-normal:${ptbxl}:fold=9,10`).folds!], [9, 10]);
  assert.equal(parseDatasetSpec(`ptbxl100:${ptbxl}`).folds, null);
  const refuses = (spec: string, pattern: RegExp) =>
    assert.throws(() => parseDatasetSpec(spec), (err: unknown) => err instanceof DataSpecError && pattern.test(err.message));
  refuses(`ptbxl100:${ptbxl}:fold=11`, /'fold=' takes strat_fold numbers 1\.\.10 separated by commas, got '11'/);
  refuses(`ptbxl100:${ptbxl}:fold=`, /'fold=' takes strat_fold numbers/);
  refuses(`cinc2017:${cinc}:fold=1`, /cinc2017 has no official folds \(use a split file\)/);
  refuses(`ptbxl100:${ptbxl}:fold=10:x`, /expected at most KIND:PATH:SELECTOR/);
  refuses(`ptbxl100:${join(ptbxl, 'nope')}`, /folder '.*nope' not found/);
});

test('splits: a fixed validation file (comments allowed) or stratified by seed; bad files are named', async () => {
  const ds = await openDataset({ kind: 'cinc2017', path: cinc, limit: 0 }, { inputLeads: [0] });
  const cfg = { data: { kind: 'cinc2017' as const, path: cinc, limit: 0 }, seed: 1, valFraction: 0.2 };
  const s = splitDataset(ds, cfg);
  assert.equal(s.kind, 'stratified');
  assert.equal(s.train.length + s.val.length, ds.ids.length);
  assert.deepEqual(splitDataset(ds, cfg), s, 'seeded');
  const file = join(tmp, 'val.txt');
  writeFileSync(file, `# two records\n${ds.ids[3]}\n\n${ds.ids[7]}\n`);
  const f = splitDataset(ds, { ...cfg, valSplit: file });
  assert.deepEqual([f.kind, f.val], ['file', [3, 7]]);
  assert.equal(f.train.length, ds.ids.length - 2);
  writeFileSync(file, 'A99999\n');
  assert.throws(() => splitDataset(ds, { ...cfg, valSplit: file }), /val\.txt: lists 1 record not in cinc2017: A99999/);
  assert.throws(() => splitDataset(ds, { ...cfg, valSplit: join(tmp, 'none.txt') }), /\/train\/valSplit: .*none\.txt not found/);
});
