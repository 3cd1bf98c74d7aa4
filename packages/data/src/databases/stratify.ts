import { argError } from '../dsp/errors.js';
import { Rng } from '../random/rng.js';

function checkK(fn: string, k: number, n: number): void {
  if (!Number.isInteger(k) || k < 2) argError(fn, 'k', `must be an integer >= 2, got ${k}`);
  if (k > n) argError(fn, 'k', `must not exceed the number of samples (${n}), got ${k}`);
}

/** Index of the maximum of `score` among `cands`, ties broken by `tie` then at random. */
function pick(cands: number[], score: (j: number) => number, rng: Rng, tie?: (j: number) => number): number {
  let best = cands.filter((j) => score(j) === Math.max(...cands.map(score)));
  if (best.length > 1 && tie) best = best.filter((j) => tie(j) === Math.max(...best.map(tie)));
  return best.length === 1 ? best[0]! : best[rng.int(best.length)]!;
}

/**
 * Multi-label iterative stratification into k folds (Sechidis, Tsoumakas & Vlahavas, "On the
 * stratification of multi-label data", ECML PKDD 2011, Algorithm 1). `labels[i]` lists the class
 * indices of sample i (may be empty). The rarest remaining label is distributed first; each of its
 * samples goes to the fold that most lacks that label, then the fold that most lacks samples, then
 * at random. Deterministic for a given seed. Returns the fold (0..k-1) of each sample.
 * Example: `iterativeStratification([[0], [0, 2], [1], []], 2, 42)`.
 */
export function iterativeStratification(labels: readonly (readonly number[])[], k: number, seed: number): Int32Array {
  const n = labels.length;
  checkK('iterativeStratification', k, n);
  const rng = new Rng(seed);
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  const nClasses = Math.max(0, ...labels.flatMap((l) => l.map((c) => c + 1)));
  for (const l of labels) for (const c of l) if (!Number.isInteger(c) || c < 0) argError('iterativeStratification', 'labels', `holds an invalid class index ${c}`);
  const folds = new Int32Array(n).fill(-1);
  const want = new Array<number>(k).fill(n / k); // c_j: samples each fold still wants
  const remaining = new Array<number>(nClasses).fill(0); // unassigned samples per label
  for (const l of labels) for (const c of new Set(l)) remaining[c]!++;
  const wantLabel = remaining.map((cnt) => new Array<number>(k).fill(cnt / k)); // c_j^i
  const byLabel: number[][] = Array.from({ length: nClasses }, () => []);
  for (const i of order) for (const c of new Set(labels[i]!)) byLabel[c]!.push(i);
  const all = Array.from({ length: k }, (_, j) => j);
  for (;;) {
    let l = -1;
    for (let c = 0; c < nClasses; c++) if (remaining[c]! > 0 && (l < 0 || remaining[c]! < remaining[l]!)) l = c;
    if (l < 0) break;
    for (const i of byLabel[l]!) {
      if (folds[i] !== -1) continue;
      const m = pick(all, (j) => wantLabel[l]![j]!, rng, (j) => want[j]!);
      folds[i] = m;
      want[m]!--;
      for (const c of new Set(labels[i]!)) {
        wantLabel[c]![m]!--;
        remaining[c]!--;
      }
    }
  }
  for (const i of order) {
    if (folds[i] !== -1) continue;
    const m = pick(all, (j) => want[j]!, rng);
    folds[i] = m;
    want[m]!--;
  }
  return folds;
}

/**
 * Single-label stratified k folds: each class's samples are shuffled and dealt to the folds in turn,
 * the dealing continuing from fold to fold across classes, so every fold holds floor or ceil of
 * n_c/k samples of each class c and fold sizes differ by at most one. Returns the fold of each sample.
 */
export function stratifiedKFold(labels: readonly (string | number)[], k: number, seed: number): Int32Array {
  checkK('stratifiedKFold', k, labels.length);
  const rng = new Rng(seed);
  const classes = [...new Set(labels)].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  const folds = new Int32Array(labels.length);
  let next = 0;
  for (const c of classes) {
    const members = rng.shuffle(labels.flatMap((l, i) => (l === c ? [i] : [])));
    for (const i of members) {
      folds[i] = next;
      next = (next + 1) % k;
    }
  }
  return folds;
}

/**
 * Single-label stratified train/test split: round(testFraction · n_c) samples of each class c go to
 * test, chosen at random (seeded). Returns sorted index lists.
 */
export function stratifiedSplit(labels: readonly (string | number)[], testFraction: number, seed: number): { train: number[]; test: number[] } {
  if (!(testFraction > 0 && testFraction < 1)) argError('stratifiedSplit', 'testFraction', `must be in (0, 1), got ${testFraction}`);
  const rng = new Rng(seed);
  const classes = [...new Set(labels)].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  const train: number[] = [];
  const test: number[] = [];
  for (const c of classes) {
    const members = rng.shuffle(labels.flatMap((l, i) => (l === c ? [i] : [])));
    const nTest = Math.round(testFraction * members.length);
    test.push(...members.slice(0, nTest));
    train.push(...members.slice(nTest));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}
