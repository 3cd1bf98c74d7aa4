import type { Tensor } from '@ecglab/engine';

/**
 * One batch as tensors, what models and objectives consume. Built from the input pipeline's typed-array
 * `Batch` by `toTensorBatch` (pipeline/to-tensors.ts), inside the caller's tidy scope.
 */
export interface TensorBatch {
  /** Record ids, in batch order. */
  ids: string[];
  /** `[N, leads, L]` float32 in millivolts, zero after each record's end. */
  x: Tensor;
  /** `[N, 1, L]` float32: 1 where `x` holds a real sample, 0 in the padding. */
  mask: Tensor;
  /** `[N]` int64 class indices (single-label tasks); null for multi-label tasks and unlabelled batches. */
  labels: Tensor | null;
  /** `[N, K]` float32 multi-hot targets (one-hot for single-label tasks); null for unlabelled batches. */
  targets: Tensor | null;
  /** Further inputs by name, e.g. `page` `[N, C, H, W]` for the image model. */
  extras: Record<string, Tensor>;
}
