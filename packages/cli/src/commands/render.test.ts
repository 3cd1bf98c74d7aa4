// `ecglab render`, run in-process on a program holding only this command.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import sharp from 'sharp';
import { register as render } from './render.js';

const PTBXL = fileURLToPath(new URL('../../../../fixtures/data/ptbxl/records500/00000/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ecglab-cli-render-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ out: string; err: string }> {
  const program = new Command('ecglab').exitOverride().configureOutput({ writeErr: () => undefined });
  let out = '';
  let err = '';
  render(program, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  await program.parseAsync(args, { from: 'user' });
  return { out, err };
}

test('render one record: PNG at the asked DPI with its sidecar', async () => {
  const png = join(dir, 'one.png');
  const { out } = await run(['render', `${PTBXL}00017_hr`, '-o', png, '--dpi', '80', '--layout', '6x2', '--grid', 'blue', '--sidecar', '--artefacts', 'rotation=0.4', '--seed', '3', '--no-header']);
  assert.match(out, /^wrote .*one\.png and .*one\.json \(880×680\)/);
  const meta = await sharp(png).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 880, 680]);
  const side = JSON.parse(readFileSync(join(dir, 'one.json'), 'utf8'));
  assert.equal(side.options.layout, '6x2');
  assert.equal(side.options.header, false);
  assert.equal(side.record.id, '00017_hr');
  assert.deepEqual(side.artefacts.map((a: { name: string }) => a.name), ['rotation']);
  assert.equal(side.leads.length, 12);
});

test('render --batch writes one page per record and resumes without redoing pages', async () => {
  const src = join(dir, 'db');
  mkdirSync(src);
  for (const f of ['00017_hr.hea', '00017_hr.dat', '00500_hr.hea', '00500_hr.dat']) cpSync(join(PTBXL, f), join(src, f));
  const out = join(dir, 'pages');
  const first = await run(['render', '--batch', src, '-o', out, '--dpi', '40', '--format', 'jpeg', '--sidecar']);
  assert.match(first.out, /rendered 2, skipped 0 \(already done\), failed 0/);
  assert.deepEqual(readdirSync(out).sort(), ['00017_hr.jpg', '00017_hr.json', '00500_hr.jpg', '00500_hr.json']);
  const mtime = statSync(join(out, '00017_hr.jpg')).mtimeMs;
  rmSync(join(out, '00500_hr.jpg'));
  const second = await run(['render', '--batch', src, '-o', out, '--dpi', '40', '--format', 'jpeg', '--sidecar']);
  assert.match(second.out, /rendered 1, skipped 1 \(already done\), failed 0/);
  assert.equal(statSync(join(out, '00017_hr.jpg')).mtimeMs, mtime);
});

test('bad flags name themselves', async () => {
  await assert.rejects(run(['render', `${PTBXL}00017_hr`, '-o', join(dir, 'x.gif')]), /output '.*x\.gif' must end in \.png, \.jpg or \.jpeg/);
  await assert.rejects(run(['render', `${PTBXL}00017_hr`, '-o', join(dir, 'x.png'), '--dpi', 'abc']), /--dpi must be a number, got 'abc'/);
  await assert.rejects(run(['render', `${PTBXL}00017_hr`, '-o', join(dir, 'x.png'), '--artefacts', 'noise=3']), /strength of 'noise' must be a number in \[0, 1\]/);
  await assert.rejects(run(['render', '--batch', join(dir, 'nothing'), '-o', join(dir, 'o')]), /'.*nothing' is not a folder/);
});

test('--dpi is bounded by the page\'s pixels, not a fixed number: 1200 dpi is refused with its size and memory before anything is read or written', async () => {
  const png = join(dir, 'huge.png');
  // The record does not exist: the budget is checked before it is read.
  await assert.rejects(
    run(['render', join(dir, 'no-such-record'), '-o', png, '--dpi', '1200', '--artefacts', 'all=0.5']),
    /render: --dpi 1200 makes a 13200×10200 page \(134\.6 million pixels, about 3\.8 GB to draw with these artefacts\), more than the 40\.0 million allowed; use --dpi 654 or less, or raise ECGLAB_MAX_PAGE_PIXELS/,
  );
  await assert.rejects(run(['render', join(dir, 'no-such-record'), '-o', png, '--dpi', '1200', '--portrait', '--page', 'a4']), /--dpi 1200 makes a 9921×14031 page \(139\.2 million pixels, about 2\.4 GB to draw\)/);
  assert.throws(() => statSync(png), /ENOENT/);
  process.env.ECGLAB_MAX_PAGE_PIXELS = '1000000';
  try {
    await assert.rejects(run(['render', `${PTBXL}00017_hr`, '-o', png, '--dpi', '110']), /--dpi 110 makes a 1210×935 page .* more than the 1\.0 million allowed; use --dpi 103 or less/);
    await run(['render', `${PTBXL}00017_hr`, '-o', png, '--dpi', '103']);
    assert.deepEqual([(await sharp(png).metadata()).width, (await sharp(png).metadata()).height], [1133, 876]);
    process.env.ECGLAB_MAX_PAGE_PIXELS = 'lots';
    await assert.rejects(run(['render', `${PTBXL}00017_hr`, '-o', png]), /ECGLAB_MAX_PAGE_PIXELS must be a positive integer, found 'lots'/);
  } finally {
    delete process.env.ECGLAB_MAX_PAGE_PIXELS;
  }
});
