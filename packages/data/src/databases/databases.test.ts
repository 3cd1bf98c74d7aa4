// Label counts are compared with counts computed independently: by Python's csv module in
// packages/data/fixtures/databases/make_database_fixtures.py (expected.json), or, for CinC 2017, by
// splitting the fixture's REFERENCE.csv lines here.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError } from '../errors.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCinc2017, openCinc2021, openCpsc2018, openDatabase, openLudb, openPtbxl, openWfdbFolder, parseScpCodes, type EcgDatabase } from './index.js';

// Every temporary folder of this file's tests is made in this one, removed when they end.
const scratchRoot = mkdtempSync(join(tmpdir(), 'ecglab-databases-test-'));
after(() => rmSync(scratchRoot, { recursive: true, force: true }));

const DATA = fileURLToPath(new URL('../../../../fixtures/data/', import.meta.url));
const expected = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/databases/expected.json', import.meta.url)), 'utf8'));

function classCounts(db: EcgDatabase): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of db.list()) for (const n of db.labels(id).names) out[n] = (out[n] ?? 0) + 1;
  return out;
}

test('CinC 2017: 300 fixture records, class counts equal REFERENCE.csv, single-lead 300 Hz load', async () => {
  const dir = join(DATA, 'cinc2017/training2017');
  const db = openCinc2017(dir);
  const ref: Record<string, number> = {};
  for (const line of readFileSync(join(dir, 'REFERENCE.csv'), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const cls = line.split(',')[1]!.trim();
    ref[cls] = (ref[cls] ?? 0) + 1;
  }
  assert.equal(db.list().length, 300);
  assert.deepEqual(classCounts(db), ref);
  assert.deepEqual(ref, { N: 130, A: 70, O: 80, '~': 20 }); // as the fixture's LICENSE-NOTICE.md states
  const id = db.list()[0]!;
  const rec = await db.load(id);
  assert.equal(rec.fs, 300);
  assert.equal(rec.signals.length, 1);
  assert.equal(db.labels(id).multiHot.length, 4);
  assert.equal(db.labels(id).multiHot.reduce((s, v) => s + v, 0), 1);
  assert.throws(() => db.labels('A99999'), (e: unknown) => e instanceof DataError && /cinc2017: no record 'A99999'/.test(e.message));
});

test('CPSC 2018: both forms, 9 classes, label counts and multi-label records equal REFERENCE.csv', async () => {
  const root = join(DATA, 'cpsc2018');
  const db = openCpsc2018({ reference: join(root, 'REFERENCE.csv'), wfdbDir: join(root, 'Training_WFDB'), matDir: join(root, 'TrainingSet1') });
  const e = expected.cpsc2018;
  assert.equal(db.list().length, e.records);
  const byName: Record<string, number> = {};
  const codes = ['Normal', 'AF', 'I-AVB', 'LBBB', 'RBBB', 'PAC', 'PVC', 'STD', 'STE'];
  for (const [code, n] of Object.entries(e.anyLabelCountsByCode as Record<string, number>)) byName[codes[Number(code) - 1]!] = n;
  assert.deepEqual(classCounts(db), byName);
  assert.deepEqual(db.list().filter((id) => db.labels(id).names.length > 1), e.multiLabel);
  assert.deepEqual(db.labels('A0079').names, ['AF', 'RBBB']);
  assert.deepEqual(db.referenceLabels('A0079'), ['RBBB', 'AF'], "REFERENCE.csv's order: First_label 5, Second_label 2");
  assert.equal(db.formOf('A0003'), 'wfdb');
  const w = await db.load('A0003');
  assert.equal(w.fs, 500);
  assert.deepEqual(w.leadNames, ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6']);
  assert.equal(w.signals[0]!.length, 5000);
  // the original-form .mat agrees with scipy.io.loadmat
  assert.equal(db.formOf('A1980'), 'mat');
  const m = await db.load('A1980');
  assert.deepEqual([m.signals.length, m.signals[0]!.length], e.mat.shape);
  for (let i = 0; i < 12; i++) {
    assert.deepEqual(Array.from(m.signals[i]!.subarray(0, 3)), e.mat.head[i].map(Math.fround)); // float32 mV
    const sum = m.signals[i]!.reduce((s, v) => s + v, 0);
    const scale = m.signals[i]!.reduce((s, v) => s + Math.abs(v), 0);
    assert.ok(Math.abs(sum - e.mat.sum[i]) < 1e-7 * Math.max(1, scale), `lead ${i}: sum ${sum} vs ${e.mat.sum[i]}`); // float32 rounding
  }
  const md = db.metadata('A1980');
  assert.equal(md.age, e.mat.age);
  assert.equal(md.sex, 'M');
  assert.equal(db.metadata('A0003').sex !== undefined, true);
});

test('CinC 2021: 26 scored classes with the 4 equivalent pairs merged, equal to weights_abbreviations.csv', () => {
  const root = join(DATA, 'cinc2021');
  const db = openCinc2021({ dir: join(root, 'training_data'), scored: join(root, 'dx_mapping_scored.csv'), unscored: join(root, 'dx_mapping_unscored.csv') });
  const header = readFileSync(join(root, 'weights_abbreviations.csv'), 'utf8').split('\n')[0]!.trim().split(',').slice(1);
  assert.equal(db.classes.length, 26);
  assert.deepEqual([...db.classes].sort(), [...header].sort());
  const codesHeader = readFileSync(join(root, 'weights.csv'), 'utf8').split('\n')[0]!.trim().split(',').slice(1);
  assert.deepEqual(db.classCodes.map((c) => c.join('|')).sort(), [...codesHeader].sort());
  // counts: each record's scored Dx codes mapped to classes, from the independently counted codes
  const scored = new Map(db.classCodes.flatMap((codes, i) => codes.map((c) => [c, db.classes[i]!] as const)));
  const want: Record<string, number> = {};
  for (const [code, n] of Object.entries(expected.cinc2021.dxCodeCounts as Record<string, number>)) {
    const cls = scored.get(code);
    if (cls) want[cls] = (want[cls] ?? 0) + n;
  }
  assert.deepEqual(classCounts(db), want);
  // A5215 has 59118001 (RBBB) and 284470004 (PAC): CRBBB|RBBB and PAC|SVPB
  assert.deepEqual(db.labels('A5215').names.sort(), ['CRBBB|RBBB', 'PAC|SVPB']);
  assert.deepEqual(db.labels('A1041').names.sort(), ['AF', 'CLBBB|LBBB']);
  const md = db.metadata('E07938');
  assert.equal(md.sex, 'F');
  assert.equal(md.age, 65);
  assert.equal(md.extra.dxNames, 'PAC');
});

test('CinC 2021: the early abbreviation-coded CinC 2020 headers are refused with a pointer', () => {
  const root = join(DATA, 'cpsc2018');
  assert.throws(
    () => openCinc2021({ dir: join(root, 'Training_WFDB'), scored: join(DATA, 'cinc2021/dx_mapping_scored.csv') }),
    /Dx 'AF' is not a SNOMED CT code .*use openCpsc2018/,
  );
});

test('PTB-XL: superclass and subclass counts, strat_fold folds, 100 and 500 Hz', async () => {
  const dir = join(DATA, 'ptbxl');
  const e = expected.ptbxl;
  const sup = openPtbxl({ dir, fs: 100, labelSet: 'superclass' });
  assert.equal(sup.list().length, e.records);
  assert.deepEqual(sup.classes, ['NORM', 'MI', 'STTC', 'CD', 'HYP']);
  assert.deepEqual(classCounts(sup), e.superclassCounts);
  assert.deepEqual(classCounts(openPtbxl({ dir, fs: 100, labelSet: 'subclass' })), e.subclassCounts);
  const folds: Record<string, number> = {};
  for (const f of sup.folds().values()) folds[String(f + 1)] = (folds[String(f + 1)] ?? 0) + 1;
  assert.deepEqual(folds, e.stratFoldCounts);
  assert.deepEqual(sup.labels('17').names, []); // atrial flutter only: no diagnostic statement
  assert.deepEqual(sup.labels('162').names, ['MI', 'STTC', 'CD', 'HYP']);
  // record 17: {'AFLT': 100.0, 'ABQRS': 0.0, 'AFIB': 0.0}
  assert.deepEqual(openPtbxl({ dir, labelSet: 'rhythm' }).labels('17').names.sort(), ['AFIB', 'AFLT']);
  assert.deepEqual(openPtbxl({ dir, labelSet: 'rhythm', minLikelihood: 1 }).labels('17').names, ['AFLT']);
  // likelihood threshold: record 39 has IMI at 15 %
  assert.deepEqual(openPtbxl({ dir, labelSet: 'superclass', minLikelihood: 50 }).labels('39').names, ['STTC']);
  const lr = await sup.load('1');
  assert.equal(lr.fs, 100);
  assert.deepEqual([lr.signals.length, lr.signals[0]!.length], [12, 1000]);
  const hrDb = openPtbxl({ dir, fs: 500 });
  assert.deepEqual(hrDb.list(), ['17', '500']);
  assert.equal(hrDb.missing().length, 14);
  const hr = await hrDb.load('500');
  assert.deepEqual([hr.fs, hr.signals[0]!.length], [500, 5000]);
  const md = sup.metadata('1');
  assert.deepEqual([md.age, md.sex], [56, 'F']);
  assert.throws(() => parseScpCodes("{'NORM': x}", 'row 3'), /row 3: scp_codes entry ''NORM': x' is not 'CODE': number/);
});

test('LUDB: rhythm counts from ludb.csv, per-lead wave annotations via rdann', async () => {
  const db = openLudb({ dir: join(DATA, 'ludb') });
  assert.deepEqual(db.list(), ['21', '34', '96']);
  assert.deepEqual(classCounts(db), expected.ludb.rhythmCounts);
  assert.deepEqual(db.metadata('21').sex, 'M');
  assert.equal(db.metadata('21').age, 55);
  for (const id of db.list()) {
    const ann = await db.waves(id, 'II');
    const codes: Record<string, number> = {};
    for (const c of ann.code) codes[String(c)] = (codes[String(c)] ?? 0) + 1;
    assert.deepEqual(codes, expected.ludb.leadIIAnnotationCodeCounts[id]);
  }
  const avr = await db.waves('21', 'AVR');
  assert.ok(avr.sample.length > 0);
  await assert.rejects(db.waves('21', 'V7'), /lead 'V7' is not one of/);
  const diag = openLudb({ dir: join(DATA, 'ludb'), labelSet: 'diagnoses' });
  assert.ok(diag.labels('34').names.some((n) => /pacing|pacemaker/i.test(n)), diag.labels('34').names.join('; '));
  const rec = await db.load('96');
  assert.deepEqual([rec.fs, rec.signals.length, rec.signals[0]!.length], [500, 12, 5000]);
});

test('generic WFDB folder with a labels CSV; a labels file naming absent records is an error', async () => {
  const dir = join(DATA, 'ptbxl/records100/00000');
  const tmp = mkdtempSync(join(scratchRoot, 'folder-'));
  const good = join(tmp, 'labels.csv');
  writeFileSync(good, 'record,labels\n00001_lr,NORM\n00039_lr,"MI;STTC"\n');
  const db = openWfdbFolder({ dir, labels: good });
  assert.deepEqual(db.list(), ['00001_lr', '00039_lr']);
  assert.deepEqual(db.classes, ['MI', 'NORM', 'STTC']);
  assert.deepEqual(Array.from(db.labels('00039_lr').multiHot), [1, 0, 1]);
  assert.equal((await db.load('00001_lr')).signals.length, 12);
  const bad = join(tmp, 'bad.csv');
  writeFileSync(bad, 'record,labels\n00001_lr,NORM\nnope,AF\n');
  assert.throws(() => openWfdbFolder({ dir, labels: bad }), (e: unknown) => e instanceof DataError && e.message.includes(`${bad}: names 1 record not found in ${dir}: 'nope' (line 3)`));
  assert.throws(() => openWfdbFolder({ dir, labels: good, classes: ['NORM'] }), /labels MI, STTC are not among the given classes/);
});

test('openDatabase opens each adapter from a config value and names an unknown kind', () => {
  assert.equal(openDatabase({ kind: 'cinc2017', path: join(DATA, 'cinc2017/training2017') }).list().length, 300);
  assert.equal(openDatabase({ kind: 'ptbxl', dir: join(DATA, 'ptbxl'), fs: 500 }).list().length, 2);
  assert.equal(openDatabase({ kind: 'ludb', dir: join(DATA, 'ludb') }).facts.name, 'ludb');
  assert.throws(() => openDatabase({ kind: 'mitdb' } as never), /openDatabase: 'kind' must be .* got 'mitdb'/);
});

test('CinC 2017: a NAME,TYPE header line and CRLF/blank lines are accepted; a bad class is named', () => {
  const tmp = mkdtempSync(join(scratchRoot, 'c17-'));
  const dir = join(DATA, 'cinc2017/training2017');
  const rows = readFileSync(join(dir, 'REFERENCE.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(tmp, 'ref.csv'), `NAME,TYPE\r\n${rows.join('\r\n')}\r\n\r\n`);
  assert.equal(openCinc2017(dir, join(tmp, 'ref.csv')).list().length, 300);
  writeFileSync(join(tmp, 'bad.csv'), `${rows[0]!.split(',')[0]},X\n`);
  assert.throws(() => openCinc2017(dir, join(tmp, 'bad.csv')), /bad\.csv line 1: class 'X' of A\d+ is not one of N, A, O, ~/);
});
