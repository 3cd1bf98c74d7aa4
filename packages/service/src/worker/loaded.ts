// The models loaded in the inference worker thread, by name: signal models and image models alike (each a
// Predictor, loaded once). Every worker function reaches its model through `predictorOf`.
import { Predictor } from '@ecglab/models';

const predictors = new Map<string, Predictor>();

/** How a signal model's batches are padded: to a multiple of `padMultiple` samples, at least `minLength`. */
export interface Padding { padMultiple: number; minLength: number }

export function predictorOf(name: string): Predictor {
  const p = predictors.get(name);
  if (!p) throw new Error(`model '${name}' is not loaded in the inference worker (loaded: ${[...predictors.keys()].join(', ') || 'none'})`);
  return p;
}

/**
 * Loads each model once (loadModel checks the spec and the weights' shapes, one line per problem); returns
 * each signal model's padding, so the queue can batch together only records padded to the same length.
 * Image models have none: a photo is predicted alone.
 */
export function load(models: { name: string; file: string }[]): Record<string, Padding> {
  for (const m of models) {
    if (predictors.has(m.name)) continue;
    predictors.set(m.name, Predictor.load(m.file));
  }
  return Object.fromEntries([...predictors].filter(([, p]) => !p.readsImages).map(([name, p]) => [name, { padMultiple: p.model.padMultiple ?? 1, minLength: p.model.minLength ?? 1 }]));
}

/** Frees every model. */
export function unload(): void {
  for (const p of predictors.values()) p.dispose();
  predictors.clear();
}

/** The label of one row of probabilities, by the model's rule (argmax, or the classes at or above the threshold). */
export function labelOf(p: Predictor, row: ArrayLike<number>): string {
  const { classes, task, threshold } = p.spec;
  const values = Array.from(row);
  if (task === 'single-label') return classes[values.indexOf(Math.max(...values))]!;
  return classes.filter((_, k) => values[k]! >= threshold).join('+') || '-';
}
