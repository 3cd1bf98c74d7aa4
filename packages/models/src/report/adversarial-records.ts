import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { noGrad, tidy } from '@ecglab/engine';
import { memorySource, Rng, wrsamp, writeFileAtomicSync, type EcgRecord } from '@ecglab/data';
import { ArgumentError } from '../errors.js';
import type { Predictor } from '../inference/predictor.js';
import { EcgClassifier } from '../models/classifier.js';
import { toTensorBatch } from '../pipeline/to-tensors.js';
import { attack } from '../robustness/attack.js';
import type { AttackConfig } from '../robustness/attack-config.js';
import { summarizeAttack } from '../robustness/summary.js';
import { adversarialSignalPlot } from './plots.js';

/** One record attacked: both signals as the model reads them (its leads and rate, mV), both decisions. */
export interface AdversarialRecord {
  id: string;
  fs: number;
  leadNames: string[];
  clean: Float32Array[];
  adversarial: Float32Array[];
  cleanPrediction: string;
  adversarialPrediction: string;
  cleanProbabilities: Record<string, number>;
  adversarialProbabilities: Record<string, number>;
  fooled: boolean;
  /** Largest |δ| over leads and samples, in model units and in mV. */
  linf: number;
  linfMv: number;
}

/**
 * Attacks records with a model: each is conformed as the model reads it (its leads, rate and length) and
 * attacked against the model's own clean decision (there is no truth for a file), so every record is attacked
 * and "fooled" means the decision changed. Single-label models by the config's loss; multi-label ones by BCE
 * against their thresholded set. Random starts come from `Rng.derive(seed, b)` for the b-th batch of the
 * Predictor's pipeline over the records.
 *
 * @example const [r] = await attackRecords(predictor, [await readRecord('A00001')], { ...PGD_DEFAULTS, eps: 0.01 }, 1); r.fooled;
 */
export async function attackRecords(predictor: Predictor, records: readonly EcgRecord[], config: AttackConfig, seed: number): Promise<AdversarialRecord[]> {
  const model = predictor.model;
  if (!(model instanceof EcgClassifier)) throw new ArgumentError(`attackRecords: ${predictor.name} is not a signal classifier (an EcgClassifier); attacks act on signals`);
  const { task, classes, threshold, conform } = predictor.spec;
  const multi = task === 'multi-label';
  const cfg = (multi ? { ...config, loss: 'bce' } : config) as AttackConfig;
  const pipe = await predictor.pipeline(memorySource(records));
  const out: AdversarialRecord[] = new Array(records.length);
  // `N (p 0.93)`; multi-label: the classes at or above the threshold, `NORM+MI (p 0.81, 0.66)`, or `- (none ≥ 0.5)`.
  const describe = (p: Float32Array) => {
    if (!multi) return `${classes[p.indexOf(Math.max(...p))]} (p ${Math.max(...p).toFixed(2)})`;
    const on = classes.flatMap((c, m) => (p[m]! >= threshold ? [{ c, p: p[m]! }] : []));
    return on.length === 0 ? `- (none ≥ ${threshold})` : `${on.map((o) => o.c).join('+')} (p ${on.map((o) => o.p.toFixed(2)).join(', ')})`;
  };
  model.eval();
  let b = 0;
  for await (const batch of pipe.epoch(0)) {
    tidy(() => {
      const tb = toTensorBatch(batch, task);
      const z = noGrad(() => model.forward(tb.x, tb.mask)); // [B, K]
      const k = classes.length;
      // The model's own decision is the label to move away from.
      const truth = multi
        ? { labels: null, targets: z.sigmoid().ge(threshold).float() }
        : { labels: z.argmax(1), targets: null };
      const r = attack(model, { x: tb.x, mask: tb.mask, ...truth }, cfg, { rng: Rng.derive(seed, b) });
      const s = summarizeAttack(r);
      const probs = (t: typeof z) => (multi ? t.sigmoid() : t.softmax(1)).float().toArray() as Float32Array;
      const pc = probs(r.cleanLogits);
      const pa = probs(r.advLogits);
      const xAdvMv = tb.x.add(r.deltaMv).float().toArray() as Float32Array; // [B, leads, L]
      const [, leads, len] = tb.x.shape as [number, number, number];
      batch.indices.forEach((i, j) => {
        const rec = records[i]!;
        // The record's real samples in this batch (the pipeline cuts records longer than the model's maxSeconds).
        let n = 0;
        for (let t = 0; t < len; t++) if (batch.mask[j * len + t]) n = t + 1;
        const conformed = (data: Float32Array) => Array.from({ length: leads }, (_, c) => data.slice((j * leads + c) * len, (j * leads + c) * len + n));
        const cp = pc.subarray(j * k, (j + 1) * k);
        const ap = pa.subarray(j * k, (j + 1) * k);
        out[i] = {
          id: rec.id,
          fs: conform.fs,
          leadNames: conform.leads ? [...conform.leads] : conform.leadIndices!.map((c) => rec.leadNames[c] ?? `lead${c}`),
          clean: conformed(batch.x),
          adversarial: conformed(xAdvMv),
          cleanPrediction: describe(cp),
          adversarialPrediction: describe(ap),
          cleanProbabilities: Object.fromEntries(classes.map((c, m) => [c, cp[m]!])),
          adversarialProbabilities: Object.fromEntries(classes.map((c, m) => [c, ap[m]!])),
          fooled: s.fooled[j] === 1,
          linf: s.linf[j]!,
          linfMv: s.linfMv[j]!,
        };
      });
    });
    b++;
  }
  return out;
}

/** Text for a WFDB header comment (Latin-1): the attack's symbols spelled out, anything else outside Latin-1 as '?'. */
function latin1Safe(text: string): string {
  return text.replaceAll('ε', 'eps').replaceAll('∞', 'inf').replaceAll('→', '->').replaceAll('≥', '>=').replaceAll('–', '-').replace(/[^\x20-\xff]/g, '?');
}

/** A WFDB-safe record name from an id or path: its last part, other characters as '_'. */
export function adversarialName(id: string): string {
  return `${basename(id).replace(/\.(hea|mat|dat)$/i, '').replace(/[^\w-]/g, '_')}-adv`;
}

/**
 * Writes each adversarial record into `dir` as WFDB (`<name>-adv.hea/.dat`, format 16 in mV, through
 * `@ecglab/data`'s wrsamp, atomically) with a PNG of the clean and adversarial signal and both predictions
 * (`<name>-adv.png`). Returns the record paths (without extension).
 *
 * @example await writeAdversarialRecords(await attackRecords(p, records, cfg, 1), 'out', 'PGD-100 L∞, ε 0.01');
 */
export async function writeAdversarialRecords(records: readonly AdversarialRecord[], dir: string, attackText: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  const names = new Set<string>();
  for (const r of records) {
    const name = adversarialName(r.id);
    if (names.has(name)) throw new ArgumentError(`writeAdversarialRecords: two records would both be written as ${name}; give records with distinct names`);
    names.add(name);
    const path = join(dir, name);
    await wrsamp(path, {
      fs: r.fs,
      sigName: r.leadNames,
      units: r.leadNames.map(() => 'mV'),
      fmt: 16,
      physical: r.adversarial,
      // Header text is Latin-1: ε, ∞ and → spelled out.
      comments: [`ecglab attack of ${r.id}: ${attackText}`, `clean prediction ${r.cleanPrediction}, adversarial prediction ${r.adversarialPrediction}`].map(latin1Safe),
    });
    writeFileAtomicSync(`${path}.png`, adversarialSignalPlot({ ...r, attack: attackText }));
    paths.push(path);
  }
  return paths;
}
