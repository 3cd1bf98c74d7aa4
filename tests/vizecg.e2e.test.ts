// VizECGNet through the `ecglab` command: train a tiny model on PTB-XL fixture records (pages drawn in a
// worker, paired with the signals), draw a record with `ecglab render`, then `predict` the PNG, a sideways JPEG
// with an EXIF orientation tag and the record itself with --as-image; `eval` reads the records as pages.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/cli/bin/ecglab.mjs');
const ptbxl = join(root, 'fixtures/data/ptbxl');
const record = join(ptbxl, 'records100/00000/00017_lr');
const dir = mkdtempSync(join(tmpdir(), 'ecglab-vizecg-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = join(dir, 'run');

function ecglab(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
}

function ok(args: string[]): string {
  const r = ecglab(args);
  assert.equal(r.status, 0, `ecglab ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

function fails(args: string[], what: RegExp): void {
  const r = ecglab(args);
  assert.notEqual(r.status, 0, `ecglab ${args.join(' ')} should fail`);
  assert.match(r.stderr, what);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, `stack trace in:\n${r.stderr}`);
}

test('ecglab train a tiny VizECGNet, then predict PNG/JPEG pages and records drawn as pages; eval on pages', async () => {
  const config = join(dir, 'viz.yaml');
  writeFileSync(
    config,
    `name: viz-cli
seed: 2
threads: 1
data: { kind: ptbxl, path: ${ptbxl}, fs: 100, labels: superclass }
input: { kind: max-abs, leads: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], maxSeconds: 10, maxShiftSeconds: 0 }
model:
  kind: vizecgnet
  image: { patch: 4, stemWidth: 8, widths: [8, 16], blocks: [1, 1] }
  signal: { width: 8, depth: [1, 1], groups: 4 }
  attention: { heads: 2 }
pages: { dpi: 20, width: 220, height: 170, layouts: ['3x4+II'], workers: 1 }
train: { epochs: 1, batchSize: 6, valFraction: 0.25 }
`,
  );
  ok(['train', '--config', config, '--out', run, '--quiet']);

  const png = join(dir, 'page.png');
  ok(['render', record, '-o', png, '--dpi', '40']);
  const sideways = join(dir, 'sideways.jpg');
  await sharp(png).rotate(-90).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(sideways);

  const lines = ok(['predict', '--model', run, png, sideways, '--json']).trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.deepEqual(Object.keys(lines[0].probabilities), ['NORM', 'MI', 'STTC', 'CD', 'HYP']);
  assert.deepEqual([lines[0].image.width, lines[0].image.height, lines[0].image.modelWidth], [440, 340, 220]);
  assert.deepEqual([lines[1].image.width, lines[1].image.height, lines[1].image.orientation], [440, 340, 6], 'the JPEG is read upright');
  for (const l of lines) for (const p of Object.values(l.probabilities) as number[]) assert.ok(p >= 0 && p <= 1);

  const text = ok(['predict', '--model', run, '--as-image', record]);
  assert.match(text, /00017_lr\t\S+\tNORM 0\.\d{4}  MI .*\(100 Hz, drawn as a page\)/);
  const report = JSON.parse(ok(['eval', '--model', run, '--data', `ptbxl100:${ptbxl}`, '--json', '--bootstrap', '20']));
  assert.equal(report.n, 16);

  fails(['predict', '--model', run, record], /00017_lr: .* classifies images of ECG pages; give PNG\/JPEG files, or pass --as-image/);
  const junk = join(dir, 'junk.jpg');
  writeFileSync(junk, 'not a jpeg');
  fails(['predict', '--model', run, junk], /junk\.jpg: not a readable PNG or JPEG image/);
});
