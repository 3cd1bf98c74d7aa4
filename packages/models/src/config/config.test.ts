import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataDir } from '@ecglab/data';
import { loadRunConfig, parseRunConfig } from './index.js';
import { ConfigError } from '../errors.js';

const dir = mkdtempSync(join(tmpdir(), 'ecglab-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function rejects(path: string, pattern: RegExp): void {
  assert.throws(() => loadRunConfig(path), (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.code, 'CONFIG');
    assert.match(err.message, pattern);
    return true;
  });
}

test('a minimal YAML config gets the documented defaults', () => {
  const cfg = loadRunConfig(file('min.yaml', 'name: tiny\ndata:\n  kind: cinc2017\n  path: data/cinc\n'));
  assert.equal(cfg.optimizer.lr, 3e-4);
  assert.equal(cfg.model.kind, 'ma-liang');
  assert.equal(cfg.model.kind === 'ma-liang' && cfg.model.groups, 32);
  assert.equal(cfg.schedule.kind, 'cosine');
  assert.equal(cfg.data.path, join(dir, 'data/cinc'));
});

test("a seed given with the file replaces the config's (ecglab train --seed) and is validated like it", () => {
  const f = file('seeded.yaml', 'name: s\nseed: 1\ndata:\n  kind: cinc2017\n  path: data/cinc\ntrain:\n  precision: bf16\n');
  assert.equal(loadRunConfig(f).seed, 1);
  assert.equal(loadRunConfig(f, { seed: 3 }).seed, 3);
  assert.equal(loadRunConfig(f, { seed: 3 }).train.precision, 'bf16');
  assert.equal(loadRunConfig(file('min2.yaml', 'name: t\ndata:\n  kind: cinc2017\n  path: data/cinc\n')).train.precision, 'fp32');
  assert.throws(() => loadRunConfig(f, { seed: -1 }), /seeded\.yaml: \/seed must be an integer >= 0/);
});

test('variants merge with their own defaults', () => {
  const cfg = parseRunConfig({ name: 'x', data: { kind: 'cinc2017', path: '/d' }, model: { kind: 'xresnet1d', kernel: 7 }, schedule: { kind: 'constant' } }, 'x.json');
  assert.deepEqual(cfg.model, { kind: 'xresnet1d', widths: [64, 128, 256, 512], depth: [2, 2, 2, 2], kernel: 7, cropSeconds: 2.5, cropStrideSeconds: 1.25 });
  assert.deepEqual(cfg.schedule, { kind: 'constant', warmupEpochs: 0 });
});

test('errors name the file, the field, what was expected and what was found', () => {
  const base = 'name: t\ndata: {kind: cinc2017, path: d}\n';
  rejects(file('a.yaml', `${base}optimizer:\n  lr: fast\n`), /^a\.yaml: \/optimizer\/lr must be a number > 0 and <= 10, got "fast"$/);
  rejects(file('b.yaml', `${base}optimizer:\n  lr: -1\n`), /b\.yaml: \/optimizer\/lr must be a number > 0 and <= 10, got -1/);
  rejects(file('c.yaml', `${base}optimizer:\n  kind: sgd\n`), /c\.yaml: \/optimizer\/kind must be one of "adam", "adamw", got "sgd"/);
  rejects(file('d.yaml', `${base}model:\n  kind: ma-liang\n  groupz: 4\n`), /d\.yaml: \/model: unknown field 'groupz' \(allowed: kind, pooling/);
  rejects(file('e.yaml', `${base}model:\n  kind: ma-liang\n  depth: [2, 0]\n`), /e\.yaml: \/model\/depth\/1 must be an integer >= 1 and <= 1000000000, got 0/);
  rejects(file('f.yaml', 'name: t\n'), /f\.yaml: \/: missing required field 'data'/);
  rejects(file('g.yaml', `${base}train:\n  epochs: 2\nschedule:\n  kind: cosine\n  warmupEpochs: 3\n`), /g\.yaml: \/schedule\/warmupEpochs must be < \/train\/epochs \(2\), got 3/);
  rejects(file('h.yaml', `${base}model:\n  kind: resnet\n`), /h\.yaml: \/model\/kind must be one of "ma-liang", "xresnet1d", "vizecgnet", "vizecg-image-only", got "resnet"/);
  rejects(file('i.yaml', 'name: t\n  data: [\n'), /i\.yaml: invalid YAML at line/);
  rejects(file('j.json', '{"name": "t",}'), /j\.json: invalid JSON/);
  rejects(file('k.toml', ''), /k\.toml: a config must end in \.json, \.yaml or \.yml/);
  rejects(join(dir, 'missing.yaml'), /missing\.yaml: cannot read the config file \(ENOENT\)/);
  rejects(file('l.yaml', `${base}optimizer:\n  betas: [0.9]\n`), /\/optimizer\/betas must be an array of 2 items \(each a number > 0 and < 1\), got \[0.9\]/);
});

test('every shipped config in configs/ validates', () => {
  const configs = new URL('../../../../configs/', import.meta.url).pathname;
  const names = readdirSync(configs).filter((n) => /\.(ya?ml|json)$/.test(n));
  assert.ok(names.includes('cinc2017.yaml') && names.includes('main-job.yaml'));
  for (const name of names) assert.ok(loadRunConfig(join(configs, name)).name.length > 0, name);
});

test('dataset variants: PTB-XL gets its own defaults; a wrong field of a variant is named', () => {
  const cfg = parseRunConfig({ name: 'p', data: { kind: 'ptbxl', path: '/d' } }, 'p.yaml');
  assert.deepEqual(cfg.data, { kind: 'ptbxl', path: '/d', limit: 0, fs: 100, labels: 'superclass' });
  assert.throws(() => parseRunConfig({ name: 'p', data: { kind: 'ptbxl', path: '/d', fs: 250 } }, 'p.yaml'), /p\.yaml: \/data\/fs must be one of 100, 500, got 250/);
  assert.throws(() => parseRunConfig({ name: 'p', data: { kind: 'cinc2017', path: '/d', fs: 100 } }, 'p.yaml'), /p\.yaml: \/data: unknown field 'fs'/);
});

test('PTB-XL official folds: accepted with test defaulting to none; overlaps, repeats, bad numbers and valFraction beside them are named', () => {
  const data = (folds: unknown) => ({ kind: 'ptbxl', path: '/d', folds });
  const cfg = parseRunConfig({ name: 'p', data: data({ train: [1, 2, 3, 4, 5, 6, 7, 8], val: [9] }) }, 'p.yaml');
  assert.deepEqual(cfg.data.kind === 'ptbxl' && cfg.data.folds, { train: [1, 2, 3, 4, 5, 6, 7, 8], val: [9], test: [] });
  const bad = (folds: unknown, pattern: RegExp, train?: unknown) =>
    assert.throws(() => parseRunConfig({ name: 'p', data: data(folds), ...(train ? { train } : {}) }, 'p.yaml'), (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.match(err.message, pattern);
      return true;
    });
  bad({ train: [1, 2, 9], val: [9], test: [10] }, /^p\.yaml: \/data\/folds: fold 9 is in both train and val; each fold belongs to one split$/);
  bad({ train: [1, 1], val: [9] }, /p\.yaml: \/data\/folds\/train lists fold 1 twice/);
  bad({ train: [1], val: [9], test: [9, 10] }, /fold 9 is in both val and test/);
  bad({ train: [0, 1], val: [9] }, /p\.yaml: \/data\/folds\/train\/0 must be an integer >= 1 and <= 10, got 0/);
  bad({ train: [1], val: [] }, /p\.yaml: \/data\/folds\/val must be an array of at least 1 items \(each an integer >= 1 and <= 10\), got \[\]/);
  bad({ train: [1] }, /p\.yaml: \/data\/folds: missing required field 'val'/);
  bad({ train: [1], val: [2], tset: [3] }, /\/data\/folds: unknown field 'tset' \(allowed: train, val, test\)/);
  bad({ train: [1], val: [2] }, /p\.yaml: \/train\/valFraction \(0\.2\) cannot be used with \/data\/folds/, { valFraction: 0.2 });
  assert.throws(() => parseRunConfig({ name: 'c', data: { kind: 'cinc2017', path: '/d', folds: { train: [1], val: [2] } } }, 'c.yaml'), /c\.yaml: \/data: unknown field 'folds'/);
});

test('adapter-backed datasets (cpsc2018, cinc2021, wfdb-folder): defaults, files resolved against the config folder, errors named', () => {
  const cfg = loadRunConfig(file('cpsc.yaml', 'name: c\ndata:\n  kind: cpsc2018\n  path: data/cpsc\n  reference: labels/REF.csv\n  fs: 250\n  leads: [I, ii]\n'));
  assert.deepEqual(cfg.data, { kind: 'cpsc2018', path: join(dir, 'data/cpsc'), limit: 0, labelMode: 'all', reference: join(dir, 'labels/REF.csv'), fs: 250, leads: ['I', 'ii'] });
  assert.deepEqual(parseRunConfig({ name: 'c', data: { kind: 'cinc2021', path: '/d' } }, 'c.yaml').data, { kind: 'cinc2021', path: '/d', limit: 0, recursive: true });
  const w = loadRunConfig(file('w.yaml', 'name: w\ndata:\n  kind: wfdb-folder\n  path: /recs\n  labels: mine.csv\n  task: multi-label\n'));
  assert.deepEqual(w.data, { kind: 'wfdb-folder', path: '/recs', limit: 0, idColumn: 'record', labelColumn: 'labels', separator: ';', recursive: false, labels: join(dir, 'mine.csv'), task: 'multi-label' });
  const bad = (data: unknown, pattern: RegExp) =>
    assert.throws(() => parseRunConfig({ name: 'b', data }, 'b.yaml'), (err: unknown) => err instanceof ConfigError && pattern.test(err.message));
  bad({ kind: 'cpsc2019', path: '/d' }, /^b\.yaml: \/data\/kind must be one of "cinc2017", "ptbxl", "cpsc2018", "cinc2021", "wfdb-folder", got "cpsc2019"$/);
  bad({ kind: 'wfdb-folder' }, /^b\.yaml: \/data: missing required field 'path'$/);
  bad({ kind: 'wfdb-folder', path: '/d', task: 'multi' }, /b\.yaml: \/data\/task must be one of "single-label", "multi-label", got "multi"/);
  bad({ kind: 'cinc2021', path: '/d', fs: 0 }, /b\.yaml: \/data\/fs must be a number > 0 and <= 100000, got 0/);
  bad({ kind: 'cpsc2018', path: '/d', leads: [] }, /b\.yaml: \/data\/leads must be an array of at least 1 items/);
  bad({ kind: 'cpsc2018', path: '/d', labels: 'x.csv' }, /b\.yaml: \/data: unknown field 'labels' \(allowed: kind, path, limit, fs, leads, reference, wfdbDir, matDir, labelMode, perClassSplit\)/);
});

test('dataset-dependent defaults: 12-lead databases read every loaded lead and monitor macro AUROC, unless the file says otherwise', () => {
  const ptbxl = loadRunConfig(file('p.yaml', 'name: p\ndata: { kind: ptbxl, path: /d }\n'));
  assert.deepEqual(ptbxl.input.leads, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.equal(ptbxl.train.monitor, 'macroAuroc');
  const named = loadRunConfig(file('n.yaml', 'name: n\ndata: { kind: cpsc2018, path: /d, leads: [II, V1, V5] }\n'));
  assert.deepEqual(named.input.leads, [0, 1, 2]);
  const cinc = loadRunConfig(file('c.yaml', 'name: c\ndata: { kind: cinc2017, path: /d }\n'));
  assert.deepEqual(cinc.input.leads, [0]);
  assert.equal(cinc.train.monitor, 'cinc2017F1');
  const explicit = loadRunConfig(file('e.yaml', 'name: e\ndata: { kind: cinc2021, path: /d }\ninput: { kind: max-abs, leads: [1] }\ntrain: { monitor: macroF1 }\n'));
  assert.deepEqual(explicit.input.leads, [1]);
  assert.equal(explicit.train.monitor, 'macroF1');
});

test('numbers that validate must make sense: infinite epochs or batch sizes are named, as any field out of range', () => {
  const inf = (train: Record<string, unknown>, pattern: RegExp) =>
    assert.throws(() => parseRunConfig({ name: 'i', data: { kind: 'cinc2017', path: '/d' }, train }, 'i.yaml'), (err: unknown) => err instanceof ConfigError && pattern.test(err.message));
  inf({ batchSize: Infinity }, /i\.yaml: \/train\/batchSize must be an integer >= 1 and <= 4096, got null/);
  inf({ epochs: Infinity }, /i\.yaml: \/train\/epochs must be an integer >= 1 and <= 100000/);
  inf({ gradClip: Infinity }, /i\.yaml: \/train\/gradClip must be a number >= 0 and <= 1000000000/);
  inf({ objective: { kind: 'pgd' } }, /i\.yaml: \/train\/objective\/kind must be one of "ce", "advls", "jacobian", "nsr", "vizecg", got "pgd"/);
  inf({ objective: { kind: 'ce', labelSmoothing: 1 } }, /i\.yaml: \/train\/objective\/labelSmoothing must be a number >= 0 and < 1, got 1/);
  inf({ precision: 'fp16' }, /i\.yaml: \/train\/precision must be one of "fp32", "bf16", got "fp16"/);
});

test('data paths: ${ECGLAB_DATA} stands for the data collection, other variables are refused; --data replaces data.path', () => {
  const saved = process.env.ECGLAB_DATA;
  process.env.ECGLAB_DATA = '/somewhere/data';
  try {
    const cfg = parseRunConfig({ name: 'v', data: { kind: 'cinc2017', path: '${ECGLAB_DATA}/cinc2017/training2017' } }, 'v.yaml', '/cfg');
    assert.equal(cfg.data.path, '/somewhere/data/cinc2017/training2017');
    assert.equal(parseRunConfig({ name: 'v', data: { kind: 'cinc2017', path: 'rel' } }, 'v.yaml', '/cfg').data.path, '/cfg/rel');
    assert.throws(() => parseRunConfig({ name: 'v', data: { kind: 'cinc2017', path: '${HOME}/x' } }, 'v.yaml'), /v\.yaml: \/data\/path: unknown variable \$\{HOME\} \(only \$\{ECGLAB_DATA\} is expanded\)/);
  } finally {
    if (saved === undefined) delete process.env.ECGLAB_DATA;
    else process.env.ECGLAB_DATA = saved;
  }
  delete process.env.ECGLAB_DATA;
  assert.equal(dataDir(), fileURLToPath(new URL('../../../../../shared/data', import.meta.url)), 'default: ../shared/data beside the checkout');
  if (saved !== undefined) process.env.ECGLAB_DATA = saved;
});

test('extends: a config starts from its base file; sections merge, a changed kind replaces the section, cycles are named', () => {
  file('base.yaml', 'name: base\nseed: 4\ndata: { kind: cinc2017, path: d }\nmodel: { kind: ma-liang, width: 16, groups: 8 }\ntrain: { epochs: 7, batchSize: 8 }\n');
  const child = loadRunConfig(file('child.yaml', 'extends: base.yaml\nname: child\nmodel: { width: 32 }\ntrain: { epochs: 3 }\n'));
  assert.deepEqual([child.name, child.seed, child.train.epochs, child.train.batchSize], ['child', 4, 3, 8]);
  assert.equal(child.model.kind === 'ma-liang' && child.model.width, 32);
  assert.equal(child.model.kind === 'ma-liang' && child.model.groups, 8);
  const other = loadRunConfig(file('other.yaml', 'extends: child.yaml\nname: other\nmodel: { kind: xresnet1d, widths: [8, 8], depth: [1, 1] }\n'));
  assert.deepEqual(other.model, { kind: 'xresnet1d', widths: [8, 8], depth: [1, 1], kernel: 5, cropSeconds: 2.5, cropStrideSeconds: 1.25 });
  assert.throws(() => loadRunConfig(file('loop.yaml', 'extends: loop.yaml\nname: loop\n')), /loop\.yaml: \/extends loop\.yaml extends this file again \(loop\.yaml → loop\.yaml\)/);
  assert.throws(() => loadRunConfig(file('gone.yaml', 'extends: missing.yaml\nname: g\n')), /missing\.yaml: cannot read the config file \(ENOENT\)/);
});
