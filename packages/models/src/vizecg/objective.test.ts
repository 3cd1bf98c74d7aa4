// The VizECGNet objective trains a tiny model with an own small loop (the trainer's is the lead's) on synthetic
// page–signal pairs whose class is the trace's frequency: both heads learn, KD is logged, the image-only path
// ends up classifying its pages from the page alone, and the live tensor count stays flat step after step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromArray, liveTensorCount, manualSeed, noGrad, optim, tidy } from '@ecglab/engine';
import type { TensorBatch } from '../pipeline/tensor-batch.js';
import type { Task } from '../task.js';
import { ATTENTION_DEFAULTS, PAGE_NET_DEFAULTS, VIZECGNET_DEFAULTS, type VizEcgConfig } from './config.js';
import { stepContext } from './test-helpers.js';
import { VizECGNet } from './vizecgnet.js';
import { VIZECG_OBJECTIVE_DEFAULTS, vizEcgObjective } from './objective.js';

const H = 32;
const W = 64;
const L = 384;

/**
 * A batch of `n` pairs: record i is a sine of 2 + 4·class cycles over its length (class = i mod 2) at a phase
 * set by i and `seed`, its page a white image with the trace drawn as a dark line across it. Lengths vary, so
 * the mask matters.
 */
function syntheticBatch(n: number, task: Task, seed = 0): TensorBatch {
  const page = new Float32Array(n * H * W).fill(1);
  const x = new Float32Array(n * L);
  const mask = new Float32Array(n * L);
  const labels = new BigInt64Array(n);
  const targets = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const cls = i % 2;
    const len = L - 24 * (i % 4);
    const cycles = 2 + 4 * cls;
    const phase = 0.7 * i + 2.3 * seed;
    for (let t = 0; t < len; t++) {
      x[i * L + t] = Math.sin(2 * Math.PI * cycles * (t / len) + phase);
      mask[i * L + t] = 1;
    }
    for (let c = 0; c < W; c++) {
      const y = Math.round(H / 2 - (H / 3) * Math.sin(2 * Math.PI * cycles * (c / W) + phase));
      page[i * H * W + y * W + c] = 0;
      page[i * H * W + Math.min(H - 1, y + 1) * W + c] = 0.2;
    }
    labels[i] = BigInt(cls);
    targets[i * 2 + cls] = 1;
  }
  return {
    ids: Array.from({ length: n }, (_, i) => `r${i}`),
    x: fromArray(x, [n, 1, L]),
    mask: fromArray(mask, [n, 1, L]),
    labels: task === 'single-label' ? fromArray(labels, [n]) : null,
    targets: fromArray(targets, [n, 2]),
    extras: { page: fromArray(page, [n, 1, H, W]) },
  };
}

function tinyNet(over: Partial<Extract<VizEcgConfig, { kind: 'vizecgnet' }>> | VizEcgConfig = {}): VizECGNet {
  manualSeed(11);
  const base: Extract<VizEcgConfig, { kind: 'vizecgnet' }> = {
    ...VIZECGNET_DEFAULTS,
    image: { ...PAGE_NET_DEFAULTS, patch: 2, stemWidth: 8, widths: [8, 16], blocks: [1, 1] },
    signal: { ...VIZECGNET_DEFAULTS.signal, width: 8, depth: [1, 1], groups: 4 },
    attention: { ...ATTENTION_DEFAULTS, heads: 2, dropout: 0 },
  };
  const config = 'kind' in over && over.kind === 'vizecg-image-only' ? over : { ...base, ...over };
  return new VizECGNet(config as VizEcgConfig, 1, 2);
}

for (const task of ['single-label', 'multi-label'] as const) {
  test(`vizEcgObjective (${task}) trains both heads; the page alone then classifies the training pages; memory stays flat`, () => {
    const net = tinyNet();
    const batches = [syntheticBatch(8, task, 0), syntheticBatch(8, task, 1)];
    const opt = new optim.Adam(net.parameters(), { lr: 3e-3 });
    const ctx = stepContext(task, 2, null, net.parameters());
    const objective = vizEcgObjective(VIZECG_OBJECTIVE_DEFAULTS);
    const history: Record<string, number>[] = [];
    const live: number[] = [];
    for (let step = 0; step < 16; step++) {
      net.train();
      const logs = tidy(() => {
        const { loss, logs } = objective.compute(net, batches[step % 2]!, ctx);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return logs!;
      });
      history.push(logs);
      live.push(liveTensorCount());
    }
    assert.ok(live.slice(1).every((n) => n === live[1]), `live tensors per step (after Adam's state exists): ${live.join(', ')}`);
    const first = history[0]!;
    const last = history.at(-1)!; // a step on batch 1...
    const firstOfLast = history[1]!; // ...compared with the first step on batch 1
    for (const k of ['cls_image', 'cls_signal', 'kd', 'cls', 'loss']) assert.ok(Number.isFinite(first[k]) && Number.isFinite(last[k]), `log '${k}' present`);
    assert.ok(Math.abs(last.cls! + last.kd! - last.loss!) < 1e-5, 'loss = λ1·cls + λ2·kd with λ = 1');
    assert.ok(last.cls_image! < 0.5 * firstOfLast.cls_image!, `image head: ${firstOfLast.cls_image} → ${last.cls_image}`);
    assert.ok(last.cls_signal! < 0.5 * firstOfLast.cls_signal!, `signal head: ${firstOfLast.cls_signal} → ${last.cls_signal}`);
    // Still in training mode: after 16 steps BatchNorm's running statistics (momentum 0.1) lag weights that moved
    // this fast, so eval mode would test them rather than what was learnt. Eval mode is checked against PyTorch.
    const predicted = tidy(() => noGrad(() => Array.from(net.logits({ extras: batches[0]!.extras }).argmax(1).toArray() as BigInt64Array, Number)));
    assert.deepEqual(predicted, [0, 1, 0, 1, 0, 1, 0, 1], `image-only inference classifies the training pages; history ${JSON.stringify(history.map((h) => [h.cls_image, h.cls_signal, h.kd].map((v) => v!.toFixed(3))))}`);
    for (const b of batches) for (const t of [b.x, b.mask, b.labels, b.targets, b.extras.page]) t?.dispose();
    ctx.dispose();
    opt.dispose();
    net.dispose();
  });
}

test('vizEcgObjective: no KD term with kd null, CE of the image head alone for the image-only variant, λs scale the terms', () => {
  const batch = syntheticBatch(4, 'single-label');
  const check = (net: VizECGNet, cfg = VIZECG_OBJECTIVE_DEFAULTS) => {
    const ctx = stepContext('single-label', 2, null, net.parameters());
    net.eval(); // no dropout or batch statistics: the same forward each call
    const logs = tidy(() => vizEcgObjective(cfg).compute(net, batch, ctx).logs!);
    ctx.dispose();
    net.dispose();
    return logs;
  };
  const noKd = check(tinyNet({ kd: null }));
  assert.equal(noKd.kd, undefined);
  assert.ok(Math.abs(noKd.loss! - noKd.cls_image! - noKd.cls_signal!) < 1e-6);
  const imageOnly = check(tinyNet({ kind: 'vizecg-image-only', image: { ...PAGE_NET_DEFAULTS, patch: 2, stemWidth: 8, widths: [8, 16], blocks: [1, 1] }, attention: { ...ATTENTION_DEFAULTS, heads: 2 }, smam: true }));
  assert.deepEqual(Object.keys(imageOnly).sort(), ['cls', 'cls_image', 'loss']);
  assert.ok(Math.abs(imageOnly.loss! - imageOnly.cls_image!) < 1e-6);
  const full = check(tinyNet());
  const scaled = check(tinyNet(), { kind: 'vizecg', lambdaCls: 0.5, lambdaKd: 3 });
  assert.ok(Math.abs(scaled.loss! - (0.5 * full.cls! + 3 * full.kd!)) < 1e-5, `λ1·cls + λ2·kd: ${scaled.loss} vs ${0.5 * full.cls! + 3 * full.kd!}`);
  assert.throws(() => vizEcgObjective({ kind: 'vizecg', lambdaCls: -1, lambdaKd: 1 }), /vizEcgObjective: 'lambdaCls' must be a finite number ≥ 0, got -1/);
  for (const t of [batch.x, batch.mask, batch.labels, batch.targets, batch.extras.page]) t?.dispose();
});
