import type { optim, Tensor } from '@ecglab/engine';
import type { Rng } from '@ecglab/data';
import type { BatchModel } from '../models/classifier.js';
import type { TensorBatch } from '../pipeline/tensor-batch.js';
import type { Task } from '../task.js';

/** What an objective may know about the step it computes the loss for. */
export interface StepContext {
  task: Task;
  /** Number of classes K. */
  classes: number;
  /** 0-based epoch and the total, and the global optimiser step (0-based) and steps per epoch. */
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  /** Seeded for this step alone (from the run's seed, the epoch and the step), so a resumed run draws the same numbers. */
  rng: Rng;
  /** Learning rate of this step, and the scheduler that set it. */
  lr: number;
  scheduler: optim.lrScheduler.LRScheduler;
  /**
   * Class weights of the loss, `[K]`: single-label n/(K·n_c) for cross-entropy's `weight`, multi-label
   * negatives/positives for BCE's `pos_weight`; null when the config turns weighting off.
   */
  classWeights: Tensor | null;
  /**
   * Set in a data-parallel run (train/distributed.ts): this rank's share of the step's whole batch, by records
   * and by the class weights of their labels. The loss stays a mean over this rank's records; the trainer
   * scales it by worldSize × `records` before backward, so that the gradients averaged over ranks are those
   * of the whole batch's mean. `classificationLoss` also rescales a class-weighted cross-entropy by
   * `weight / records`, so that its normaliser is the whole batch's sum of weights, as in one process.
   */
  shard?: StepShard;
}

/** A rank's share of a data-parallel step's batch (see StepContext.shard). */
export interface StepShard {
  /** This rank's records over the whole batch's (0 for a stand-in). */
  records: number;
  /** The sum of this rank's records' class weights over the whole batch's (single-label with class weights; else `records`). */
  weight: number;
}

/** The loss to minimise, and numbers to log (averaged over the epoch's steps in log.jsonl). */
export interface ObjectiveResult {
  loss: Tensor;
  logs?: Record<string, number>;
}

/**
 * A training objective: the loss of one batch. The trainer calls `compute` inside a tidy scope, checks that
 * the loss is finite, then runs backward, clipping and the optimiser step; everything else (checkpoints,
 * resume, early stopping, logs, progress, validation) stays in the trainer. `compute` may run the model
 * several times (adversarial examples, double backprop), must leave the model in training mode and must
 * not step the optimiser.
 *
 * @example
 * const labelSmoothing: Objective = {
 *   name: 'ce-smooth',
 *   compute: (model, batch, ctx) => {
 *     const logp = model.logits(batch).logSoftmax(1);           // [N, K]
 *     const soft = batch.targets!.mul(0.9).add(0.1 / ctx.classes); // [N, K]
 *     return { loss: logp.mul(soft).sum(1).mean().neg() };
 *   },
 * };
 */
export interface Objective<M extends BatchModel = BatchModel> {
  readonly name: string;
  compute(model: M, batch: TensorBatch, ctx: StepContext): ObjectiveResult;
}
