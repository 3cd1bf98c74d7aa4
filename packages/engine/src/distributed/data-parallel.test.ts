// bucketIndices against PyTorch DDP's bucket assignment (fixtures/distributed/make_bucket_fixture.py).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bucketIndices } from './data-parallel.js';
import { empty } from '../creation.js';
import type { DType } from '../dtype.js';

interface Case { tensors: { numel: number; dtype: DType }[]; firstBucketBytes: number; bucketBytes: number; buckets: number[][] }
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/distributed/buckets.json', import.meta.url), 'utf8')) as
  { torch: string; cases: Case[] };

describe('bucketIndices', () => {
  it(`buckets gradients as PyTorch ${fixture.torch}'s DDP does, in launch order (${fixture.cases.length} cases)`, () => {
    for (const c of fixture.cases) {
      const tensors = c.tensors.map((t) => empty([t.numel], { dtype: t.dtype }));
      assert.deepEqual(bucketIndices(tensors, c.bucketBytes, c.firstBucketBytes), [...c.buckets].reverse(),
        `first ${c.firstBucketBytes} B, then ${c.bucketBytes} B, tensors ${JSON.stringify(c.tensors)}`);
      for (const t of tensors) t.dispose();
    }
  });

  it('caps the first bucket at the bucket size when that is smaller', () => {
    const tensors = [empty([3]), empty([1])];  // 12 B, 4 B
    assert.deepEqual(bucketIndices(tensors, 4), [[1], [0]]);
    for (const t of tensors) t.dispose();
  });
});
