import type { PipelineOptions, RecordSource } from '@ecglab/data';
import type { InferenceSpec } from '../inference/spec.js';

/** What the pipeline needs to know of a model's input: padding, a minimum length, a fixed training window. */
export interface InputShape {
  padMultiple?: number;
  minLength?: number;
  /** Fixed-length models train on random windows of this many samples. */
  trainWindow?: number;
}

/**
 * Pipeline options to evaluate or predict with a model: its spec's leads and rate, records cut to their first
 * `maxSeconds`, batches of similar length (shortest first), no randomness.
 */
export function evalPipelineOptions(spec: InferenceSpec, shape: InputShape, source: RecordSource, extra: Partial<PipelineOptions> = {}): PipelineOptions {
  return {
    source,
    conform: spec.conform,
    batchSize: spec.batchSize,
    seed: 0,
    order: 'by-length',
    maxSamples: Math.max(1, Math.round(spec.input.maxSeconds * spec.conform.fs)),
    padMultiple: shape.padMultiple ?? 1,
    minLength: shape.minLength ?? 1,
    ...extra,
  };
}

/** How training batches are drawn (the config's `train` and `input` sections). */
export interface TrainSampling {
  order: 'shuffle' | 'balanced';
  bucketByLength: boolean;
  /** A record starts at a random offset in [0, maxShiftSeconds] of its padded row (Ma & Liang's shift). */
  maxShiftSeconds: number;
}

/**
 * Pipeline options to train a model: seeded order, random windows of `maxSeconds` (or of the model's fixed
 * training window, without shifts), random shifts, optional length bucketing.
 */
export function trainPipelineOptions(
  spec: InferenceSpec, shape: InputShape, source: RecordSource, seed: number, batchSize: number, sampling: TrainSampling, extra: Partial<PipelineOptions> = {},
): PipelineOptions {
  const fs = spec.conform.fs;
  const window = shape.trainWindow;
  return {
    source,
    conform: spec.conform,
    batchSize,
    seed,
    order: sampling.order,
    bucket: sampling.bucketByLength,
    random: true,
    maxSamples: window ?? Math.max(1, Math.round(spec.input.maxSeconds * fs)),
    shiftSamples: window === undefined ? Math.round(sampling.maxShiftSeconds * fs) : 0,
    padMultiple: shape.padMultiple ?? 1,
    minLength: shape.minLength ?? 1,
    ...extra,
  };
}
