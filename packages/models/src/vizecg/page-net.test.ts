// PageNet's cost and shapes: pageNetMacs against multiply-adds counted by forward hooks on the PyTorch twin's
// convolutions (fixtures/pagenet-macs.json, written by make_vizecg_fixtures.py), and the grid against a forward pass.
// (Its forward values and gradients are checked inside the whole-model fixtures, vizecgnet.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { liveTensorCount, noGrad, rand, tidy } from '@ecglab/engine';
import { PAGE_NET_DEFAULTS } from './config.js';
import { PageNet, pageNetMacs } from './page-net.js';

test('pageNetMacs equals the multiply-adds PyTorch hooks count on the default PageNet at 40 and 60 DPI', () => {
  const want = JSON.parse(readFileSync(new URL('./fixtures/pagenet-macs.json', import.meta.url), 'utf8')) as Record<string, { macs: number; grid: number[] }>;
  for (const [size, { macs, grid }] of Object.entries(want)) {
    const [h, w] = size.split('x').map(Number) as [number, number];
    assert.deepEqual(pageNetMacs(PAGE_NET_DEFAULTS, h, w), { macs, grid }, size);
  }
  assert.equal(pageNetMacs(PAGE_NET_DEFAULTS, 340, 440).macs, 106946048, '0.21 GFLOP per 440×340 page, as documented');
});

test('PageNet: the grid of a forward pass is the one pageNetMacs states; identity shortcuts in later blocks; bad configs named', () => {
  const net = new PageNet({ ...PAGE_NET_DEFAULTS, blocks: [1, 2, 1] });
  net.eval();
  assert.equal(net.stride, 32);
  assert.equal(net.outChannels, 128);
  assert.ok(net.stateDict().has('stages.1.0.shortcut.0.weight') && !net.stateDict().has('stages.1.1.shortcut.0.weight'), 'a block that keeps the shape adds its input');
  const before = liveTensorCount();
  tidy(() => noGrad(() => {
    const out = net.call(rand([1, 1, 340, 440]));
    assert.deepEqual(out.shape.slice(1), [128, ...pageNetMacs(PAGE_NET_DEFAULTS, 340, 440).grid]);
  }));
  assert.equal(liveTensorCount(), before);
  net.dispose();
  assert.throws(() => new PageNet({ ...PAGE_NET_DEFAULTS, channels: 2 as 1 }), /PageNet: 'channels' must be 1 or 3, got 2/);
  assert.throws(() => new PageNet({ ...PAGE_NET_DEFAULTS, patch: 0 }), /PageNet: 'patch' must be a positive integer, got 0/);
  assert.throws(() => new PageNet({ ...PAGE_NET_DEFAULTS, widths: [] }), /PageNet: 'widths' must be a non-empty list of positive integers, got \[\]/);
});
