import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileError, writeFileAtomicSync } from '@ecglab/data';

/** One line of a run's `log.jsonl`: an epoch's training and validation figures. */
export interface EpochRecord {
  epoch: number;
  step: number;
  lr: number;
  trainLoss: number;
  /** The objective's own logged terms, averaged over the epoch's steps (e.g. an adversarial loss term). */
  trainLogs?: Record<string, number>;
  valLoss: number;
  /** Validation metrics by name (cinc2017F1, macroF1, accuracy, ...). */
  val: Record<string, number>;
  seconds: number;
  trainRecordsPerSecond: number;
  /** Where the epoch's time went, so a slow epoch can be located (summed over its train steps). */
  timing?: EpochTiming;
  /** Seconds the loop waited for batches (what the pipeline's prefetch did not hide), since the epoch started or resumed. */
  dataWaitSeconds?: number;
  /** VizECGNet: training pages drawn this epoch, seconds spent drawing them (in the workers) and the worker count. */
  pages?: { drawn: number; renderSeconds: number; workers: number };
  time: string;
}

/**
 * Seconds of an epoch by phase: `data` waits for the input pipeline's batch and makes its tensors, `forward` is the
 * objective (forward and loss), `backward`, `optimizer` the gradient reset, clipping and step (with the step scope's
 * release), `validation` the validation pass; `pageFaults` the minor page faults the train steps took (fresh
 * memory from the kernel, a cost PyTorch pays too; see BENCHMARKS.md, Models).
 */
export interface EpochTiming {
  data: number;
  forward: number;
  backward: number;
  optimizer: number;
  validation: number;
  pageFaults: number;
}

/**
 * An append-only JSON-lines log, one object per line. On resume it is first cut back to the
 * epochs the checkpoint covers, so an epoch that was logged but not checkpointed before a kill
 * is not logged twice.
 */
export class JsonLinesLog<T extends { epoch: number }> {
  constructor(readonly path: string) {
    try {
      if (!existsSync(path)) writeFileSync(path, '');
    } catch (err) {
      throw fileError(err, path, 'write');
    }
  }
  append(record: T): void {
    try {
      appendFileSync(this.path, `${JSON.stringify(record)}\n`);
    } catch (err) {
      throw fileError(err, this.path, 'write');
    }
  }
  read(): T[] {
    // A torn last line (killed while appending) is dropped.
    return readFileSync(this.path, 'utf8').split('\n').flatMap((line) => {
      if (line.trim() === '') return [];
      try {
        return [JSON.parse(line) as T];
      } catch {
        return [];
      }
    });
  }
  /** Keeps only records with `epoch < epochs`. */
  truncateTo(epochs: number): void {
    const kept = this.read().filter((r) => r.epoch < epochs);
    writeFileAtomicSync(this.path, Buffer.from(kept.map((r) => `${JSON.stringify(r)}\n`).join(''), 'utf8'));
  }
}
