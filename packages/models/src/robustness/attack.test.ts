// Attacks on models whose optimum is known in closed form (linear classifiers), and the invariants every
// attack must keep on Ma & Liang's CNN: inside the ε-ball, zero on the padding, ε = 0 changes nothing,
// stronger attacks never leave the model more accurate, seeds reproduce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, fromArray, liveTensorCount, manualSeed, nn, noGrad, randn, tidy, type Tensor } from '@ecglab/engine';
import { Rng } from '@ecglab/data';
import { EcgClassifier } from '../models/classifier.js';
import type { InputNormKind } from '../models/input-norm.js';
import { MaLiangNet } from '../models/ma-liang.js';
import { attack, perturb } from './attack.js';
import { FGSM_DEFAULTS, IFGSM_DEFAULTS, PGD_DEFAULTS, SMOOTH_DEFAULTS, type AttackConfig } from './attack-config.js';
import { paddedBatch } from './test-batches.js';
import { summarizeAttack } from './summary.js';

/** z = W·flatten(x) + b: a real classifier whose worst perturbation has a closed form. */
class LinearClassifier extends EcgClassifier {
  readonly padMultiple = 1;
  readonly minLength = 1;
  w: nn.Parameter;
  b: nn.Parameter;
  constructor(weight: Tensor, bias: Tensor, norm: InputNormKind) {
    super(norm);
    this.w = new nn.Parameter(weight);
    this.b = new nn.Parameter(bias);
  }
  classify(xn: Tensor, _mask: Tensor): Tensor {
    return F.linear(xn.flatten(1), this.w, this.b); // [N, leads·L] → [N, K]
  }
}

const LEADS = 2;
const LEN = 40;
const LENGTHS = [40, 25, 33];

function linearFixture(classes: number, seed: number) {
  manualSeed(seed);
  const w = randn([classes, LEADS * LEN], { dtype: 'float64' });
  const b = randn([classes], { dtype: 'float64' }).mul(0.1);
  const net = new LinearClassifier(w, b, 'max-abs');
  const batch = paddedBatch(LENGTHS, LEADS, seed, 'float64');
  return { net, batch };
}

/** Row-major values of a `[N, leads, L]` tensor. */
const values = (t: Tensor) => t.double().toArray() as Float64Array;

test('PGD L∞ on a linear model reaches the closed-form optimum clamp(xn + ε·sign(w_other − w_y), −1, 1) − xn, zero on the padding', () => {
  const { net, batch } = linearFixture(2, 3);
  const before = liveTensorCount();
  tidy(() => {
    // Labels: the clean decision, so every record is attacked; ε small enough that no label changes, so the
    // attack runs to the end: from any start, 2ε/(stepRatio·ε) = 20 sign steps saturate every coordinate.
    const logits = noGrad(() => net.call(batch.x, batch.mask));
    const labels = logits.argmax(1);
    const margins = values(logits);
    const eps = 0.002;
    const r = attack(net, { ...batch, labels, targets: null }, { ...PGD_DEFAULTS, eps, steps: 30, stepRatio: 0.1, restarts: 1, loss: 'margin' }, { rng: new Rng(1) });
    assert.deepEqual([...(r.fooled.toArray() as Uint8Array)], [0, 0, 0], `no label changes at this ε (clean logits ${[...margins].map((v) => v.toFixed(2))})`);
    const xn = values(net.normalize(batch.x, batch.mask));
    const w = values(net.w);
    const y = labels.toArray() as BigInt64Array;
    const got = values(r.delta);
    for (let i = 0; i < LENGTHS.length; i++) {
      const other = 1 - Number(y[i]);
      for (let c = 0; c < LEADS; c++) {
        for (let t = 0; t < LEN; t++) {
          const j = (i * LEADS + c) * LEN + t;
          const dw = w[other * LEADS * LEN + c * LEN + t]! - w[Number(y[i]) * LEADS * LEN + c * LEN + t]!;
          const want = t < LENGTHS[i]! ? Math.min(1, Math.max(-1, xn[j]! + eps * Math.sign(dw))) - xn[j]! : 0;
          assert.ok(Math.abs(got[j]! - want) < 1e-12, `record ${i} lead ${c} t ${t}: δ ${got[j]} vs closed form ${want}`);
        }
      }
    }
  });
  assert.equal(liveTensorCount(), before);
  net.dispose();
});

test('I-FGSM L2 on a linear model (no clipping) reaches ε·(w_other − w_y)/‖w_other − w_y‖ over the real samples', () => {
  const { net, batch } = linearFixture(2, 4);
  tidy(() => {
    const labels = noGrad(() => net.call(batch.x, batch.mask)).argmax(1);
    const eps = 0.01;
    const r = attack(net, { ...batch, labels, targets: null }, { ...IFGSM_DEFAULTS, norm: '2', eps, steps: 12, stepRatio: 0.25, range: null, loss: 'ce' });
    assert.equal((r.fooled.toArray() as Uint8Array).reduce((a, b) => a + b, 0), 0);
    const w = values(net.w);
    const y = labels.toArray() as BigInt64Array;
    const got = values(r.delta);
    for (let i = 0; i < LENGTHS.length; i++) {
      const other = 1 - Number(y[i]);
      const dw = new Float64Array(LEADS * LEN);
      for (let c = 0; c < LEADS; c++) {
        for (let t = 0; t < LENGTHS[i]!; t++) dw[c * LEN + t] = w[other * LEADS * LEN + c * LEN + t]! - w[Number(y[i]) * LEADS * LEN + c * LEN + t]!;
      }
      const norm = Math.hypot(...dw);
      for (let j = 0; j < LEADS * LEN; j++) {
        const want = (eps * dw[j]!) / norm;
        assert.ok(Math.abs(got[i * LEADS * LEN + j]! - want) < 1e-12, `record ${i} element ${j}: δ ${got[i * LEADS * LEN + j]} vs ${want}`);
      }
    }
  });
  net.dispose();
});

test('multi-label (one sigmoid output): BCE ascent reaches −ε·sign(w) for a positive target, +ε·sign(w) for a negative one', () => {
  const { net, batch } = linearFixture(1, 5);
  tidy(() => {
    const z = noGrad(() => net.call(batch.x, batch.mask)); // [N, 1]
    const targets = z.ge(0).double(); // the clean decisions, so every record is correct
    const eps = 0.001;
    const r = attack(net, { ...batch, labels: null, targets }, { ...PGD_DEFAULTS, eps, steps: 25, restarts: 1, loss: 'bce', range: null }, { rng: new Rng(2) });
    assert.deepEqual([...(r.attacked.toArray() as Uint8Array)], [1, 1, 1]);
    const w = values(net.w);
    const t = values(targets);
    const got = values(r.delta);
    for (let i = 0; i < LENGTHS.length; i++) {
      for (let j = 0; j < LEADS * LEN; j++) {
        const real = j % LEN < LENGTHS[i]!;
        const want = real ? (t[i] === 1 ? -1 : 1) * eps * Math.sign(w[j]!) : 0;
        assert.ok(Math.abs(got[i * LEADS * LEN + j]! - want) < 1e-12, `record ${i} element ${j}: ${got[i * LEADS * LEN + j]} vs ${want}`);
      }
    }
  });
  net.dispose();
});

function tinyCnn(seed: number, classes = 3): MaLiangNet {
  manualSeed(seed);
  const net = new MaLiangNet({ kind: 'ma-liang', pooling: 'avg', width: 8, depth: [1, 2], groups: 4, stemKernel: 11, slope: 0.01, maskThreshold: 0.5 }, 2, classes).to('float64');
  net.eval();
  return net;
}

const CNN_LENGTHS = [256, 200, 160, 256, 230, 180, 256, 210];

function cnnBatch(net: MaLiangNet, seed: number) {
  const batch = paddedBatch(CNN_LENGTHS, 2, seed, 'float64');
  const labels = noGrad(() => net.call(batch.x, batch.mask)).argmax(1); // every record starts correct
  return { ...batch, labels, targets: null };
}

const ATTACKS: [string, AttackConfig][] = [
  ['FGSM L∞', { ...FGSM_DEFAULTS, eps: 0.05 }],
  ['FGSM L2', { ...FGSM_DEFAULTS, norm: '2', eps: 0.5 }],
  ['PGD L∞', { ...PGD_DEFAULTS, eps: 0.05, steps: 10 }],
  ['PGD L2', { ...PGD_DEFAULTS, norm: '2', eps: 0.5, steps: 10, loss: 'margin' }],
  ['smooth', { ...SMOOTH_DEFAULTS, eps: 0.05, steps: 10 }],
];

test('every attack stays inside its ε-ball and the [−1, 1] range, is exactly zero on the padding, and reports δ in mV as δ·peak', () => {
  const net = tinyCnn(11);
  for (const [name, cfg] of ATTACKS) {
    const before = liveTensorCount();
    tidy(() => {
      const batch = cnnBatch(net, 12);
      const r = attack(net, batch, cfg, { rng: new Rng(3) });
      const d = values(r.delta);
      const xAdv = values(r.xAdv);
      const mv = values(r.deltaMv);
      const x = values(batch.x);
      for (let i = 0; i < CNN_LENGTHS.length; i++) {
        let sq = 0;
        for (let c = 0; c < 2; c++) {
          let peak = 0;
          for (let t = 0; t < CNN_LENGTHS[i]!; t++) peak = Math.max(peak, Math.abs(x[(i * 2 + c) * 256 + t]!));
          for (let t = 0; t < 256; t++) {
            const j = (i * 2 + c) * 256 + t;
            if (t >= CNN_LENGTHS[i]!) assert.equal(Math.abs(d[j]!), 0, `${name}: record ${i} padding sample ${t} perturbed`);
            assert.ok(Math.abs(d[j]!) <= cfg.eps + 1e-12, `${name}: |δ| ${d[j]} > ε`);
            assert.ok(Math.abs(xAdv[j]!) <= 1 + 1e-12, `${name}: x_adv ${xAdv[j]} outside [−1, 1]`);
            assert.ok(Math.abs(mv[j]! - d[j]! * peak) <= 1e-12 * Math.max(1, peak), `${name}: δ in mV ${mv[j]} vs δ·peak ${d[j]! * peak}`);
            sq += d[j]! ** 2;
          }
        }
        if ('norm' in cfg && cfg.norm === '2') assert.ok(Math.sqrt(sq) <= cfg.eps + 1e-9, `${name}: ‖δ‖₂ ${Math.sqrt(sq)} > ε ${cfg.eps}`);
        const s = summarizeAttack(r);
        assert.ok(Math.abs(s.l2[i]! - Math.sqrt(sq)) < 1e-9, `${name}: summary ‖δ‖₂ ${s.l2[i]} vs ${Math.sqrt(sq)}`);
        assert.ok(s.linf[i]! <= cfg.eps + 1e-12 && s.linfMv[i]! >= 0 && s.l2Mv[i]! >= 0);
      }
    });
    assert.equal(liveTensorCount(), before, `${name}: no tensor leaks`);
  }
  net.dispose();
});

test('ε = 0 leaves every prediction as it was (adversarial accuracy = clean accuracy)', () => {
  const net = tinyCnn(13);
  tidy(() => {
    const batch = cnnBatch(net, 14);
    // Half the labels wrong: those records are not attacked and keep their clean (wrong) prediction.
    const labels = fromArray(BigInt64Array.from(values(batch.labels.double()), (v, i) => BigInt(i % 2 ? (v + 1) % 3 : v)), [CNN_LENGTHS.length]);
    for (const [, cfg] of ATTACKS) {
      const r = attack(net, { ...batch, labels }, { ...cfg, eps: 0 }, { rng: new Rng(4) });
      assert.deepEqual(values(r.advLogits.argmax(1).double()), values(r.cleanLogits.argmax(1).double()));
      assert.deepEqual([...(r.attacked.toArray() as Uint8Array)], CNN_LENGTHS.map((_, i) => (i % 2 ? 0 : 1)));
      assert.equal(values(r.delta).reduce((a, v) => a + Math.abs(v), 0), 0);
    }
  });
  net.dispose();
});

test('PGD-100 (2 restarts) never leaves the model more accurate than FGSM, and fools more records as ε grows', () => {
  const net = tinyCnn(15, 3);
  tidy(() => {
    const batch = cnnBatch(net, 16);
    const accuracy = (r: { advLogits: Tensor }) => values(r.advLogits.argmax(1).eq(batch.labels).double()).reduce((a, b) => a + b, 0) / CNN_LENGTHS.length;
    let previous = 1;
    for (const eps of [0.005, 0.02, 0.05, 0.1]) {
      const fgsm = accuracy(attack(net, batch, { ...FGSM_DEFAULTS, eps }));
      const pgd = accuracy(attack(net, batch, { ...PGD_DEFAULTS, eps }, { rng: new Rng(5) }));
      assert.ok(pgd <= fgsm, `ε ${eps}: PGD-100 accuracy ${pgd} > FGSM ${fgsm}`);
      assert.ok(pgd <= previous, `ε ${eps}: PGD accuracy ${pgd} rose from ${previous}`);
      previous = pgd;
    }
    assert.ok(previous < 0.5, `at ε = 0.1 PGD should fool most records of an untrained net, accuracy ${previous}`);
  });
  net.dispose();
});

test('a seeded attack is reproducible; another seed gives another perturbation', () => {
  const net = tinyCnn(17);
  tidy(() => {
    const batch = cnnBatch(net, 18);
    for (const cfg of [{ ...PGD_DEFAULTS, eps: 0.02, steps: 5 }, { ...PGD_DEFAULTS, norm: '2' as const, eps: 0.2, steps: 5 }, { ...SMOOTH_DEFAULTS, eps: 0.02, steps: 5 }]) {
      const a = values(attack(net, batch, cfg, { rng: new Rng(7) }).delta);
      const b = values(attack(net, batch, cfg, { rng: new Rng(7) }).delta);
      const c = values(attack(net, batch, cfg, { rng: new Rng(8) }).delta);
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, c);
    }
  });
  assert.throws(() => tidy(() => attack(net, cnnBatch(net, 1), { ...PGD_DEFAULTS, eps: 0.01 })), /a random start needs 'rng'/);
  assert.throws(() => attack(net, cnnBatch(net, 1), { ...PGD_DEFAULTS, eps: -1 }), /'eps' must be a finite number >= 0, got -1/);
  net.dispose();
});

test('memory is flat: 1,000 attack steps (one perturb call, and 1,000 one-step attacks) leave no tensor behind', () => {
  const { net, batch } = linearFixture(3, 6);
  const labels = tidy(() => noGrad(() => net.call(batch.x, batch.mask)).argmax(1));
  const before = liveTensorCount();
  tidy(() => {
    const xn = net.normalize(batch.x, batch.mask);
    perturb(net, xn, batch.mask, { labels, targets: null }, { eps: 0.01, norm: 'inf', loss: 'margin', steps: 1000, stepSize: 0.001, randomStart: true, range: [-1, 1] }, new Rng(9));
  });
  assert.equal(liveTensorCount(), before);
  for (let i = 0; i < 1000; i++) {
    tidy(() => {
      attack(net, { ...batch, labels, targets: null }, { ...FGSM_DEFAULTS, eps: 0.01 });
    });
    if (i % 100 === 0) assert.equal(liveTensorCount(), before, `after ${i + 1} attacks`);
  }
  assert.equal(liveTensorCount(), before);
  labels.dispose();
  net.dispose();
});
