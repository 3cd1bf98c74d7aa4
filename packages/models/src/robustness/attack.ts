import { cat, fromArray, grad, noGrad, ones, tidy, zeros, type Tensor } from '@ecglab/engine';
import type { Rng } from '@ecglab/data';
import { ArgumentError } from '../errors.js';
import type { EcgClassifier } from '../models/classifier.js';
import { pgdSettings, type AttackConfig, type PgdSettings } from './attack-config.js';
import { decisionRule, type DecisionRule } from './decisions.js';
import { attackLoss, type AttackTargets } from './losses.js';
import { projectToBall, randomStart, rangeBounds, smooth, smoothingKernel, steepestDirection } from './perturbation.js';

/** What an attack needs of a batch (a TensorBatch fits): `x` `[N, leads, L]` in mV, `mask` `[N, 1, L]`, and the truth. */
export interface AttackBatch extends AttackTargets {
  x: Tensor;
  mask: Tensor;
}

/** An attack's outcome for one batch. All tensors are new; dispose them (or call inside `tidy`). */
export interface AttackResult {
  /** The adversarial input in model units `[N, leads, L]`: `normalize(x) + delta`. */
  xAdv: Tensor;
  /** The perturbation in model units `[N, leads, L]`: zero on the padding and on records not attacked. */
  delta: Tensor;
  /** The same perturbation in millivolts, `delta · scale` (max-abs: scale = the lead's peak |x|). */
  deltaMv: Tensor;
  /** Logits `[N, K]` of the clean input, and of the adversarial one (a record not attacked keeps its clean logits). */
  cleanLogits: Tensor;
  advLogits: Tensor;
  /** bool `[N]`: the record was attacked (see the config's `attack`), and its decision changed. */
  attacked: Tensor;
  fooled: Tensor;
}

/** Options of {@link attack}. */
export interface AttackOptions {
  /** Draws the random starts; required by attacks that start at random (pgd with randomStart, smooth). */
  rng?: Rng;
}

/** The input range an attack clips to by default: [−1, 1] after max-abs scaling (Ma & Liang), none otherwise. */
export function defaultRange(model: EcgClassifier): readonly [number, number] | null {
  return model.inputNorm.kind === 'max-abs' ? [-1, 1] : null;
}

/** The records still under attack, with what each step needs of them. */
interface WorkingSet {
  idx: number[]; // indices in the batch
  xs: Tensor; // [n, leads, L] model units
  ms: Tensor; // [n, 1, L]
  target: AttackTargets;
  cleanDecision: Tensor | null;
  bounds: { low: Tensor; high: Tensor } | null;
}

function subset(w: WorkingSet, local: number[]): WorkingSet {
  const at = fromArray(BigInt64Array.from(local, (i) => BigInt(i)), [local.length]);
  const pick = (t: Tensor) => t.indexSelect(0, at);
  const out: WorkingSet = {
    idx: local.map((j) => w.idx[j]!),
    xs: pick(w.xs),
    ms: pick(w.ms),
    target: { labels: w.target.labels && pick(w.target.labels), targets: w.target.targets && pick(w.target.targets) },
    cleanDecision: w.cleanDecision && pick(w.cleanDecision),
    bounds: w.bounds && { low: pick(w.bounds.low), high: pick(w.bounds.high) },
  };
  at.dispose();
  return out;
}

function disposeSet(w: WorkingSet): void {
  for (const t of [w.xs, w.ms, w.target.labels, w.target.targets, w.cleanDecision, w.bounds?.low, w.bounds?.high]) t?.dispose();
}

/** δ from the optimised variable θ: θ itself, or Han et al.'s G ∗ θ masked and clipped to the input range. */
function effectiveDelta(theta: Tensor, w: WorkingSet, kernel: Tensor | null): Tensor {
  if (!kernel) return theta;
  const d = smooth(theta, kernel).mul(w.ms);
  return w.bounds ? d.maximum(w.bounds.low).minimum(w.bounds.high) : d;
}

/** One ascent step on θ: steepest direction of the masked gradient, projection onto the ball, masking, clipping. */
function stepTheta(theta: Tensor, g: Tensor, w: WorkingSet, s: PgdSettings, smoothed: boolean): Tensor {
  const moved = theta.add(steepestDirection(g.mul(w.ms), s.norm).mul(s.stepSize));
  const inBall = projectToBall(moved, s.eps, s.norm).mul(w.ms);
  // A plain perturbation is clipped here, so θ is the δ that was applied (Ma & Liang: noise_new = Xn − X);
  // a smoothed one is clipped after the convolution (effectiveDelta).
  return !smoothed && w.bounds ? inBall.maximum(w.bounds.low).minimum(w.bounds.high) : inBall;
}

function startTheta(w: WorkingSet, s: PgdSettings, rng: Rng | undefined, smoothed: boolean): Tensor {
  if (!s.randomStart) return zeros(w.xs.shape, { dtype: w.xs.dtype });
  if (!rng) throw new ArgumentError(`attack: a random start needs 'rng' (an Rng from @ecglab/data), got none`);
  const d0 = randomStart(w.xs.shape, w.ms, s.eps, s.norm, rng, w.xs.dtype === 'float64' ? 'float64' : 'float32');
  if (smoothed || !w.bounds) return d0;
  const clipped = d0.maximum(w.bounds.low).minimum(w.bounds.high);
  d0.dispose();
  return clipped;
}

/**
 * Attacks a batch: the configured attack (FGSM, I-FGSM, PGD with restarts, or Han et al.'s smooth PGD) in the
 * model's input units, as Ma & Liang state ε: `xn = normalize(x)` is fixed and `classify(xn + δ)` is attacked,
 * with δ zero on the padding, inside the ε-ball and clipped to the valid range. Only records the model gets
 * right are attacked (by default); each stops at the first step that changes its decision (its label, or for
 * multi-label models its thresholded set), and a record no run fools keeps its last run's δ. The model's mode
 * is left alone: call `model.eval()` first. Seeded by `opts.rng`: the same state gives the same result.
 *
 * @example
 * model.eval();
 * const r = attack(model, batch, { ...PGD_DEFAULTS, eps: 0.01 }, { rng: new Rng(1) });
 * const accuracy = r.advLogits.argmax(1).eq(batch.labels!).float().mean().item();
 */
export function attack(model: EcgClassifier, batch: AttackBatch, config: AttackConfig, opts: AttackOptions = {}): AttackResult {
  const s = pgdSettings(config);
  const range = s.range === undefined ? defaultRange(model) : s.range;
  return tidy(() => {
    const { x, mask } = batch;
    const n = x.shape[0] as number;
    const { xn, scale, cleanLogits } = noGrad(() => {
      const xn = model.normalize(x, mask).detach(); // [N, leads, L] model units
      return { xn, scale: model.inputNorm.stats(x, mask).scale, cleanLogits: model.classify(xn, mask) };
    });
    const rule = decisionRule(s.loss, cleanLogits.shape[1] as number, s.thresholds);
    const cleanDecision = rule.decide(cleanLogits);
    const attacked = s.attack === 'all' ? ones([n], { dtype: 'bool' }) : rule.correct(cleanLogits, batch);
    const attackedRows = attacked.toArray() as Uint8Array;
    const attackedIdx = [...attackedRows.keys()].filter((i) => attackedRows[i]);

    const finished: { idx: number[]; delta: Tensor; logits: Tensor; fooled: boolean[] }[] = [];
    if (attackedIdx.length > 0) runAttack(model, s, { idx: [...Array(n).keys()], xs: xn, ms: mask, target: batch, cleanDecision, bounds: range ? rangeBounds(xn, range) : null }, attackedIdx, rule, opts.rng, finished);

    // Rows in the order [finished chunks..., records not attacked], then back to batch order.
    const notAttacked = [...attackedRows.keys()].filter((i) => !attackedRows[i]);
    const order = [...finished.flatMap((f) => f.idx), ...notAttacked];
    const position = new BigInt64Array(n);
    order.forEach((i, row) => (position[i] = BigInt(row)));
    const back = fromArray(position, [n]);
    const rest = fromArray(BigInt64Array.from(notAttacked, (i) => BigInt(i)), [notAttacked.length]);
    const delta = cat([...finished.map((f) => f.delta), zeros([notAttacked.length, ...xn.shape.slice(1)], { dtype: xn.dtype })], 0).indexSelect(0, back);
    const advLogits = cat([...finished.map((f) => f.logits), cleanLogits.indexSelect(0, rest)], 0).indexSelect(0, back);
    const fooledRows = new Uint8Array(n);
    for (const f of finished) f.idx.forEach((i, j) => (fooledRows[i] = f.fooled[j] ? 1 : 0));
    return {
      xAdv: xn.add(delta),
      delta,
      deltaMv: delta.mul(scale),
      cleanLogits,
      advLogits,
      attacked,
      fooled: fromArray(fooledRows, [n]).bool(),
    };
  });
}

/** The PGD loop over runs and steps, shrinking the working set as records are fooled; fills `finished`. */
function runAttack(
  model: EcgClassifier,
  s: PgdSettings,
  all: WorkingSet,
  attackedIdx: number[],
  rule: DecisionRule,
  rng: Rng | undefined,
  finished: { idx: number[]; delta: Tensor; logits: Tensor; fooled: boolean[] }[],
): void {
  const smoothed = s.smoothing !== null;
  const taps = s.smoothing ? smoothingKernel(s.smoothing.sizes, s.smoothing.sigmas) : null;
  const kernel = taps ? fromArray(taps, [taps.length], { dtype: all.xs.dtype }) : null;
  let w = subset(all, attackedIdx);
  try {
    let exhausted = false;
    for (let run = 0; run < s.runs && !exhausted; run++) {
      const lastRun = run === s.runs - 1;
      let theta = startTheta(w, s, rng, smoothed);
      for (let it = 0; it <= s.steps; it++) {
        const lastStep = it === s.steps;
        const current = w;
        const r = tidy(() => {
          const th = theta.detach();
          if (!lastStep) th.requiresGrad_(true);
          const forward = () => {
            const delta = effectiveDelta(th, current, kernel);
            return { delta, z: model.classify(current.xs.add(delta), current.ms) };
          };
          const { delta, z } = lastStep ? noGrad(forward) : forward();
          const changed = rule.same(rule.decide(z), current.cleanDecision!).logicalNot().toArray() as Uint8Array;
          let next: Tensor | null = null;
          if (!lastStep) {
            const [g] = grad(attackLoss(s.loss, z, current.target).sum(), [th]);
            next = stepTheta(th.detach(), g!, current, s, smoothed);
          }
          return { delta: delta.detach(), z: z.detach(), changed, next };
        });
        theta.dispose();
        const local = [...r.changed.keys()];
        const done = lastStep && lastRun ? local : local.filter((j) => r.changed[j]);
        if (done.length > 0) {
          const at = fromArray(BigInt64Array.from(done, (j) => BigInt(j)), [done.length]);
          finished.push({ idx: done.map((j) => w.idx[j]!), delta: r.delta.indexSelect(0, at), logits: r.z.indexSelect(0, at), fooled: done.map((j) => r.changed[j] === 1) });
          at.dispose();
        }
        const remaining = local.filter((j) => !done.includes(j));
        r.delta.dispose();
        r.z.dispose();
        if (lastStep || remaining.length === 0) {
          r.next?.dispose();
          if (remaining.length === 0) exhausted = true;
          else if (remaining.length < w.idx.length) w = replace(w, remaining);
          break;
        }
        if (remaining.length < w.idx.length) {
          const at = fromArray(BigInt64Array.from(remaining, (j) => BigInt(j)), [remaining.length]);
          theta = r.next!.indexSelect(0, at);
          r.next!.dispose();
          at.dispose();
          w = replace(w, remaining);
        } else theta = r.next!;
      }
    }
  } finally {
    disposeSet(w);
    kernel?.dispose();
  }
}

function replace(w: WorkingSet, local: number[]): WorkingSet {
  const next = subset(w, local);
  disposeSet(w);
  return next;
}

/** Settings of {@link perturb}: fixed-step PGD as adversarial training runs it. */
export interface PerturbSettings {
  eps: number;
  norm: PgdSettings['norm'];
  loss: PgdSettings['loss'];
  steps: number;
  /** Absolute step size in model units. */
  stepSize: number;
  randomStart: boolean;
  range: readonly [number, number] | null;
}

/**
 * Fixed-step PGD for adversarial training, as Ma & Liang's Evaluate_mask.py pgd_attack_original: every record
 * takes all `steps` (no early stop, no restarts, no final evaluation), from a random start in the ball (or the
 * clean input), each step masked, projected and clipped. Returns δ `[N, leads, L]` in model units, detached.
 * `xn` is the input in model units. One step of 1.25·ε from a random start is "FGSM with random start" (Wong et al. 2020).
 *
 * @example const delta = perturb(model, xn, mask, { labels, targets: null }, { eps: 0.01, norm: 'inf', loss: 'margin', steps: 20, stepSize: 0.002, randomStart: true, range: [-1, 1] }, rng);
 */
export function perturb(model: EcgClassifier, xn: Tensor, mask: Tensor, target: AttackTargets, settings: PerturbSettings, rng?: Rng): Tensor {
  const s: PgdSettings = { ...settings, runs: 1, smoothing: null, attack: 'all', thresholds: undefined };
  return tidy(() => {
    const w: WorkingSet = { idx: [], xs: xn.detach(), ms: mask, target, cleanDecision: null, bounds: s.range ? rangeBounds(xn, s.range) : null };
    let theta = startTheta(w, s, rng, false);
    for (let it = 0; it < s.steps; it++) {
      const next = tidy(() => {
        const th = theta.detach().requiresGrad_(true);
        const z = model.classify(w.xs.add(th), w.ms);
        const [g] = grad(attackLoss(s.loss, z, target).sum(), [th]);
        return stepTheta(th.detach(), g!, w, s, false);
      });
      theta.dispose();
      theta = next;
    }
    return theta;
  });
}
