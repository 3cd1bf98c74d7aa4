#!/usr/bin/env node
// Copies a small, seeded, class-quota sample of the shared CinC 2017 records into
// fixtures/data/cinc2017/ for tests and the main job.
//
//   node scripts/make-fixture-cinc2017.mjs [CINC2017_DIR]   (default $ECGLAB_DATA/cinc2017/training2017,
//   ECGLAB_DATA defaulting to ../shared/data beside the checkout)
//
// Selection (deterministic): read REFERENCE.csv; keep records of at most 9000 samples (30 s,
// 18 KB each) so the set fits the 10 MB fixture budget; for each class in the order N, A, O, ~,
// sort its record IDs, shuffle them with a mulberry32 PRNG seeded with 20261122 (Fisher–Yates),
// and take the class quota below. The quotas over-sample the rare classes (A, ~) relative to
// their prevalence so that a few-minute training sees enough of each. REFERENCE.csv and RECORDS
// are cut down to the chosen records; their rows are byte-identical to the originals and kept
// in the original order.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEED = 20261122;
const QUOTA = { N: 130, A: 70, O: 80, '~': 20 };
const MAX_SAMPLES = 9000;

const root = fileURLToPath(new URL('..', import.meta.url));
// Plain JavaScript (no TypeScript loader), so the rule of @ecglab/data's dataDir() is restated here.
const src = process.argv[2] ?? join(process.env.ECGLAB_DATA || join(root, '..', 'shared', 'data'), 'cinc2017/training2017');
const dest = join(root, 'fixtures/data/cinc2017');

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const refText = readFileSync(join(src, 'REFERENCE.csv'), 'latin1');
const rows = refText.split('\n').filter((l) => l.length > 0);
const byClass = new Map();
for (const row of rows) {
  const [id, label] = row.split(',');
  const samples = Number(readFileSync(join(src, `${id}.hea`), 'latin1').split('\n')[0].trim().split(/\s+/)[3]);
  if (!(samples <= MAX_SAMPLES)) continue;
  if (!byClass.has(label)) byClass.set(label, []);
  byClass.get(label).push(id);
}
const rand = mulberry32(SEED);
const chosen = new Set();
for (const label of Object.keys(QUOTA)) {
  const ids = [...(byClass.get(label) ?? [])].sort();
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  if (ids.length < QUOTA[label]) throw new Error(`class ${label}: only ${ids.length} records, quota ${QUOTA[label]}`);
  for (const id of ids.slice(0, QUOTA[label])) chosen.add(id);
}

rmSync(join(dest, 'training2017'), { recursive: true, force: true });
mkdirSync(join(dest, 'training2017'), { recursive: true });
let bytes = 0;
const keptRows = rows.filter((r) => chosen.has(r.split(',')[0]));
for (const row of keptRows) {
  const id = row.split(',')[0];
  for (const ext of ['hea', 'mat']) {
    copyFileSync(join(src, `${id}.${ext}`), join(dest, 'training2017', `${id}.${ext}`));
    bytes += statSync(join(src, `${id}.${ext}`)).size;
  }
}
writeFileSync(join(dest, 'training2017/REFERENCE.csv'), keptRows.map((r) => `${r}\n`).join(''), 'latin1');
const recordsText = readFileSync(join(src, 'RECORDS'), 'latin1');
const keptRecords = recordsText.split('\n').filter((l) => chosen.has(l.trim()));
writeFileSync(join(dest, 'training2017/RECORDS'), keptRecords.map((r) => `${r}\n`).join(''), 'latin1');
const counts = Object.fromEntries(Object.keys(QUOTA).map((k) => [k, keptRows.filter((r) => r.endsWith(`,${k}`)).length]));
console.log(`copied ${keptRows.length} records (${JSON.stringify(counts)}), ${bytes} bytes of signals and headers to ${dest}`);
