// The PGD ε sweep of /robustness, in the inference worker: the robustness module's own attack (L∞ PGD in the
// model's input units, masked, random starts) run at each ε on one record, against the model's own decision.
import { enableGrad, grad, noGrad, tidy } from '@ecglab/engine';
import { memorySource, Rng, type EcgRecord } from '@ecglab/data';
import { attack, EcgClassifier, PGD_DEFAULTS, summarizeAttack, toTensorBatch, type AttackConfig, type Predictor } from '@ecglab/models';
import { labelOf, predictorOf } from './loaded.js';

/** What the sweep runs; the service checks each against its limits before queueing it. */
export interface PgdSweepOptions {
  /** Radii in model units (max-abs: a fraction of each lead's peak), in the order given. */
  eps: number[];
  steps: number;
  restarts: number;
  /** ε number i draws its random starts from `Rng.derive(seed, i)`. */
  seed: number;
  /**
   * Wall-clock deadline (`Date.now()` ms): an ε whose attack could end past it, at its worst case of
   * (steps + 1) · restarts gradient passes at the pace measured on this record, is not started.
   */
  deadline: number;
  /** Return each level's perturbed signal (mV) and perturbation (model units, with the padding). */
  examples: boolean;
}

/** One ε of the sweep. */
export interface PgdLevel {
  eps: number;
  /** ε in mV per lead: ε times the lead's scale (max-abs: its peak |x|). */
  epsMv: number[];
  /** Class probabilities of the attacked record, and its decision. */
  probabilities: number[];
  prediction: string;
  /** The decision differs from the clean one. */
  fooled: boolean;
  /** Largest |δ| over leads and samples, in model units and in mV. */
  linf: number;
  linfMv: number;
  /** The perturbed record as the model reads it (`[lead][sample]` mV, its real samples), when asked for. */
  example?: Float32Array[];
  /** δ in model units `[lead][paddedSamples]`, padding included (zero there), when asked for. */
  delta?: Float32Array[];
}

export interface PgdSweep {
  fs: number;
  /** Samples the model reads of the record, and the length its batch is padded to. */
  samples: number;
  paddedSamples: number;
  /** mV per model unit for each lead (max-abs: the lead's peak |x|; none: 1). */
  scale: number[];
  clean: { probabilities: number[]; prediction: string };
  levels: PgdLevel[];
  /** ε values not attacked because the attack could have run past the deadline. */
  skipped: number[];
  /** Milliseconds per gradient pass on this record, as measured for the deadline. */
  passMs: number;
}

/** The attack config of the sweep at one ε: Ma & Liang's PGD (L∞, step ε/10, random starts) with the given steps and restarts. */
export function sweepConfig(p: Predictor, eps: number, steps: number, restarts: number): AttackConfig {
  const multi = p.spec.task === 'multi-label';
  return {
    ...PGD_DEFAULTS, eps, steps, restarts,
    // There is no truth for an upload: the model's own decision is the one to move away from.
    ...(multi ? { loss: 'bce', thresholds: p.spec.classes.map(() => p.spec.threshold) } : { loss: 'ce' }),
  };
}

/**
 * PGD at each ε on one record as the model reads it: the record conformed by the model's pipeline (leads,
 * rate, length, padding, mask), attacked by `attack` from @ecglab/models with `sweepConfig` and
 * `Rng.derive(seed, i)` for ε number i. Each ε stops at the first step that changes the decision (the
 * attack's early stop), so a sweep shows the smallest of the given ε that moves the prediction.
 */
export async function pgdSweep(name: string, record: EcgRecord, opts: PgdSweepOptions): Promise<PgdSweep> {
  const p = predictorOf(name);
  const model = p.model;
  if (!(model instanceof EcgClassifier)) throw new Error(`model '${name}' is not a signal classifier; PGD attacks act on signals`);
  const multi = p.spec.task === 'multi-label';
  const pipe = await p.pipeline(memorySource([record]));
  model.eval();
  for await (const batch of pipe.epoch(0)) {
    const [, leads, len] = batch.shape; // [1, leads, L]
    let valid = 0;
    for (let i = 0; i < len; i++) valid += batch.mask[i]!;
    const probsOf = (z: ReturnType<typeof model.forward>) => Array.from((multi ? z.sigmoid() : z.softmax(1)).toArray() as Float32Array);
    const rows = (a: Float32Array, n: number) => Array.from({ length: leads }, (_, l) => a.slice(l * len, l * len + n));
    return tidy(() => {
      const tb = toTensorBatch(batch, p.spec.task);
      const { clean, truth, scale } = noGrad(() => {
        const z = model.forward(tb.x, tb.mask); // [1, K]
        return {
          clean: probsOf(z),
          truth: multi ? { labels: null, targets: z.sigmoid().ge(p.spec.threshold).float() } : { labels: z.argmax(1), targets: null },
          scale: Array.from(model.inputNorm.stats(tb.x, tb.mask).scale.float().toArray() as Float32Array), // [1, leads, 1]
        };
      });
      // One attack cannot be stopped halfway, so the deadline is kept by not starting one that could overrun
      // it: the pace of a gradient pass is measured once here, and again on every ε that ran all its steps.
      let passMs = timePass(model, tb.x, tb.mask);
      const passes = (opts.steps + 1) * opts.restarts;
      const levels: PgdLevel[] = [];
      const skipped: number[] = [];
      opts.eps.forEach((eps, i) => {
        const started = performance.now();
        if (Date.now() + passes * passMs > opts.deadline) {
          skipped.push(eps);
          return;
        }
        levels.push(tidy(() => {
          const r = attack(model, { x: tb.x, mask: tb.mask, ...truth }, sweepConfig(p, eps, opts.steps, opts.restarts), { rng: Rng.derive(opts.seed, i) });
          const s = summarizeAttack(r);
          const probabilities = noGrad(() => probsOf(r.advLogits));
          return {
            eps, epsMv: scale.map((v) => eps * v), probabilities, prediction: labelOf(p, probabilities),
            fooled: s.fooled[0] === 1, linf: s.linf[0]!, linfMv: s.linfMv[0]!,
            ...(opts.examples
              ? { example: rows(tb.x.add(r.deltaMv).float().toArray() as Float32Array, valid), delta: rows(r.delta.float().toArray() as Float32Array, len) }
              : {}),
          };
        }));
        if (!levels.at(-1)!.fooled) passMs = (performance.now() - started) / passes; // it ran every step of every run
      });
      return { fs: p.spec.conform.fs, samples: valid, paddedSamples: len, scale, clean: { probabilities: clean, prediction: labelOf(p, clean) }, levels, skipped, passMs };
    });
  }
  throw new Error(`pgdSweep: the pipeline gave no batch for record ${record.id}`);
}

/** Milliseconds of one forward and backward pass of the model on `x` in model units, as an attack step makes. */
function timePass(model: EcgClassifier, x: ReturnType<EcgClassifier['forward']>, mask: ReturnType<EcgClassifier['forward']>): number {
  const t = performance.now();
  tidy(() => enableGrad(() => {
    const xn = noGrad(() => model.normalize(x, mask)).requiresGrad_(); // [1, leads, L]
    grad(model.classify(xn, mask).logsumexp(1).sum(), xn);
  }));
  return performance.now() - t;
}
