// nn.MultiheadAttention, batch-first, with PyTorch's parameter names (in_proj_weight, in_proj_bias,
// out_proj.weight, out_proj.bias) so weights move between the two unchanged.
import { F, TorchError, noGrad, type DType, type Tensor } from './core.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';
import { Linear } from './linear.js';
import { xavierUniformParameter, zerosParameter } from './init.js';
import { positiveInt, probability } from './check.js';

export interface MultiheadAttentionOptions {
  dropout?: number;   // on the attention weights, training only; default 0
  bias?: boolean;     // in/out projection biases; default true
  dtype?: DType;
}

export interface AttentionCallOptions {
  /** [N, S] bool: true marks a key position to ignore (padding). */
  keyPaddingMask?: Tensor;
  /** [L, S] or [N * numHeads, L, S]: bool (true = masked) or float (added to the scores). */
  attnMask?: Tensor;
  /** Return attention weights (default true). */
  needWeights?: boolean;
  /** Average the weights over heads ([N, L, S]) rather than per head ([N, H, L, S]); default true. */
  averageAttnWeights?: boolean;
}

/**
 * Multi-head scaled dot-product attention over batch-first inputs [N, L, E].
 * Returns [output [N, L, E], weights or null], as PyTorch's forward does.
 * @example const mha = new nn.MultiheadAttention(64, 4); const [y] = mha.call(x, x, x); // self-attention
 */
export class MultiheadAttention extends Module {
  inProjWeight: Parameter;
  inProjBias: Parameter | null;
  outProj: Linear;
  readonly headDim: number;
  readonly dropout: number;

  constructor(readonly embedDim: number, readonly numHeads: number, o: MultiheadAttentionOptions = {}) {
    super();
    positiveInt('MultiheadAttention', 'embedDim', embedDim);
    positiveInt('MultiheadAttention', 'numHeads', numHeads);
    if (embedDim % numHeads !== 0) {
      throw new TorchError('ARGUMENT', `MultiheadAttention: 'embedDim' (${embedDim}) must be divisible by 'numHeads' (${numHeads})`);
    }
    this.headDim = embedDim / numHeads;
    this.dropout = probability('MultiheadAttention', 'dropout', o.dropout ?? 0);
    const bias = o.bias ?? true;
    // PyTorch's _reset_parameters: xavier-uniform in-projection, zero biases, out_proj weight left at Linear's init.
    this.inProjWeight = xavierUniformParameter([3 * embedDim, embedDim], o.dtype);
    this.inProjBias = bias ? zerosParameter([3 * embedDim], o.dtype) : null;
    this.outProj = new Linear(embedDim, embedDim, { bias, dtype: o.dtype });
    const ob = this.outProj.bias;
    if (ob) noGrad(() => ob.zero_());
  }

  forward(query: Tensor, key: Tensor = query, value: Tensor = key, o: AttentionCallOptions = {}): [Tensor, Tensor | null] {
    const E = this.embedDim;
    const H = this.numHeads;
    for (const [name, t] of [['query', query], ['key', key], ['value', value]] as const) {
      if (t.ndim !== 3 || t.shape[2] !== E) {
        throw new TorchError('SHAPE', `MultiheadAttention: '${name}' must be [N, L, ${E}], got shape [${t.shape.join(', ')}]`);
      }
    }
    const [N, L] = query.shape as [number, number];
    const S = key.shape[1]!;
    if (key.shape[0] !== N || value.shape[0] !== N || value.shape[1] !== S) {
      throw new TorchError('SHAPE', `MultiheadAttention: query/key/value shapes [${query.shape}], [${key.shape}], [${value.shape}] disagree in N or S`);
    }
    const [wq, wk, wv] = this.inProjWeight.chunk(3, 0) as [Tensor, Tensor, Tensor];
    const [bq, bk, bv] = (this.inProjBias ? this.inProjBias.chunk(3, 0) : [undefined, undefined, undefined]) as [Tensor?, Tensor?, Tensor?];
    const heads = (t: Tensor, len: number) => t.reshape([N, len, H, this.headDim]).transpose(1, 2); // [N, H, len, d]
    const q = heads(F.linear(query, wq, bq), L);
    const k = heads(F.linear(key, wk, bk), S);
    const v = heads(F.linear(value, wv, bv), S);

    let scores = q.div(Math.sqrt(this.headDim)).matmul(k.transpose(2, 3)); // [N, H, L, S]
    if (o.attnMask) {
      const m = o.attnMask;
      const ok2 = m.ndim === 2 && m.shape[0] === L && m.shape[1] === S;
      const ok3 = m.ndim === 3 && m.shape[0] === N * H && m.shape[1] === L && m.shape[2] === S;
      if (!ok2 && !ok3) {
        throw new TorchError('SHAPE', `MultiheadAttention: 'attnMask' must be [${L}, ${S}] or [${N * H}, ${L}, ${S}], got [${m.shape.join(', ')}]`);
      }
      const m4 = ok3 ? m.reshape([N, H, L, S]) : m;
      scores = m.dtype === 'bool' ? scores.maskedFill(m4, -Infinity) : scores.add(m4);
    }
    if (o.keyPaddingMask) {
      const m = o.keyPaddingMask;
      if (m.dtype !== 'bool' || m.ndim !== 2 || m.shape[0] !== N || m.shape[1] !== S) {
        throw new TorchError('SHAPE', `MultiheadAttention: 'keyPaddingMask' must be bool [${N}, ${S}], got ${m.dtype} [${m.shape.join(', ')}]`);
      }
      scores = scores.maskedFill(m.reshape([N, 1, 1, S]), -Infinity);
    }
    let attn = F.softmax(scores, -1);
    if (this.dropout > 0 && this.training) attn = F.dropout(attn, this.dropout, true);
    const out = attn.matmul(v).transpose(1, 2).reshape([N, L, E]); // [N, H, L, d] → [N, L, E]
    const y = this.outProj.forward(out);
    if (o.needWeights === false) return [y, null];
    return [y, o.averageAttnWeights === false ? attn : attn.sum([1]).div(H)];
  }
}
