// Attention composed from matmul/softmax (libtorch 1.13 has no scaled_dot_product_attention), so autograd,
// including double backprop, comes for free.
import { Tensor, handleOf } from '../tensor.js';
import { isGradEnabled } from '../autograd.js';
import { TorchError, fmtShape } from '../errors.js';
import { checkDims, checkFloat, checkInt, checkProbability } from '../checks.js';
import { tidy } from '../scope.js';
import { linear } from './conv.js';
import { dropout, softmax } from './activation.js';

export interface SdpaOptions {
  /** Broadcastable to [..., L, S]: bool (true = may attend, PyTorch 2's convention) or float (added to the scores). */
  attnMask?: Tensor | null;
  dropoutP?: number;
  isCausal?: boolean;
  /** Default 1/√E. */
  scale?: number;
  /** Dropout only applies when training (default true, as PyTorch's functional form). */
  training?: boolean;
}

/** softmax(q kᵀ · scale + mask) v, q: [..., L, E], k: [..., S, E], v: [..., S, Ev] → [..., L, Ev]. */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: SdpaOptions = {}): Tensor {
  const fn = 'scaledDotProductAttention';
  checkFloat(fn, 'query', q);
  checkFloat(fn, 'key', k);
  checkFloat(fn, 'value', v);
  const e = q.shape[q.ndim - 1]!;
  if (k.shape[k.ndim - 1] !== e) {
    throw new TorchError('SHAPE', `${fn}: 'key' ${fmtShape(k.shape)} must end with the query's embedding size ${e}`);
  }
  const p = checkProbability(fn, 'dropoutP', opts.dropoutP ?? 0);
  const scale = opts.scale ?? 1 / Math.sqrt(e);
  return tidy(() => {
    let scores = q.matmul(k.transpose(-2, -1)).mul(scale);          // [..., L, S]
    const L = scores.shape[scores.ndim - 2]!;
    const S = scores.shape[scores.ndim - 1]!;
    if (opts.isCausal) {
      const future = Tensor.op('ones', [L, S], 'bool', undefined, false).triu(1);  // [L, S], true above the diagonal
      scores = scores.maskedFill(future, -Infinity);
    }
    if (opts.attnMask) {
      scores = opts.attnMask.dtype === 'bool'
        ? scores.maskedFill(opts.attnMask.logicalNot(), -Infinity)
        : scores.add(opts.attnMask);
    }
    let attn = softmax(scores, -1);
    if (p > 0 && (opts.training ?? true)) attn = dropout(attn, p, true);
    return attn.matmul(v);
  });
}

export interface MultiHeadAttentionOptions {
  numHeads: number;
  inProjWeight: Tensor;          // [3E, E]: query, key, value projections stacked
  inProjBias?: Tensor | null;    // [3E]
  outProjWeight: Tensor;         // [E, E]
  outProjBias?: Tensor | null;   // [E]
  /** [N, S] bool: true marks a key to ignore (padding). */
  keyPaddingMask?: Tensor | null;
  /** [L, S] or [N·H, L, S]: bool (true = masked, nn.MultiheadAttention's convention) or float (added). */
  attnMask?: Tensor | null;
  needWeights?: boolean;          // default true
  averageAttnWeights?: boolean;   // default true: weights [N, L, S]; false: [N, H, L, S]
  dropoutP?: number;
  training?: boolean;
}

/**
 * PyTorch's multi_head_attention_forward, batch-first: query [N, L, E], key/value [N, S, E] →
 * { output: [N, L, E], weights: [N, L, S] | [N, H, L, S] | null }.
 */
export function multiHeadAttention(query: Tensor, key: Tensor, value: Tensor, o: MultiHeadAttentionOptions): { output: Tensor; weights: Tensor | null } {
  const fn = 'multiHeadAttention';
  checkDims(fn, 'query', query, 3, '[N, L, E]');
  checkDims(fn, 'key', key, 3, '[N, S, E]');
  checkDims(fn, 'value', value, 3, '[N, S, E]');
  const [n, l, e] = query.shape as [number, number, number];
  const s = key.shape[1]!;
  const h = checkInt(fn, 'numHeads', o.numHeads, 1);
  if (e % h !== 0) throw new TorchError('SHAPE', `${fn}: embedding size ${e} must be divisible by numHeads=${h}`);
  checkDims(fn, 'inProjWeight', o.inProjWeight, 2, `[${3 * e}, ${e}]`);
  const hd = e / h;
  const p = checkProbability(fn, 'dropoutP', o.dropoutP ?? 0);
  return tidy(() => {
    const [wq, wk, wv] = o.inProjWeight.chunk(3, 0) as [Tensor, Tensor, Tensor];
    const [bq, bk, bv] = o.inProjBias ? (o.inProjBias.chunk(3, 0) as [Tensor, Tensor, Tensor]) : [null, null, null];
    const heads = (x: Tensor, len: number) => x.view([n, len, h, hd]).transpose(1, 2);   // [N, len, E] → [N, H, len, hd]
    const q = heads(linear(query, wq, bq), l);
    const k = heads(linear(key, wk, bk), s);
    const v = heads(linear(value, wv, bv), s);
    let scores = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(hd));     // [N, H, L, S]
    if (o.attnMask) {
      const m = o.attnMask.ndim === 3 ? o.attnMask.view([n, h, l, s]) : o.attnMask;   // [N·H, L, S] → [N, H, L, S]
      scores = m.dtype === 'bool' ? scores.maskedFill(m, -Infinity) : scores.add(m);
    }
    if (o.keyPaddingMask) {
      checkDims(fn, 'keyPaddingMask', o.keyPaddingMask, 2, `[${n}, ${s}]`);
      scores = scores.maskedFill(o.keyPaddingMask.view([n, 1, 1, s]), -Infinity);
    }
    let attn = softmax(scores, -1);
    if (p > 0 && (o.training ?? true)) attn = dropout(attn, p, true);
    const out = attn.matmul(v).transpose(1, 2).reshape([n, l, e]);   // [N, H, L, hd] → [N, L, E]
    const output = linear(out, o.outProjWeight, o.outProjBias);
    const needWeights = o.needWeights ?? true;
    const weights = !needWeights ? null : (o.averageAttnWeights ?? true) ? attn.mean(1) : attn;
    return { output, weights };
  });
}

/** The weights of a pre- or post-norm transformer encoder layer, as nn.TransformerEncoderLayer names them. */
export interface EncoderLayerWeights {
  numHeads: number;
  inProjWeight: Tensor;   // [3E, E]
  inProjBias: Tensor;     // [3E]
  outProjWeight: Tensor;  // [E, E]
  outProjBias: Tensor;    // [E]
  norm1Weight: Tensor; norm1Bias: Tensor; norm2Weight: Tensor; norm2Bias: Tensor;  // [E] each
  linear1Weight: Tensor;  // [F, E]
  linear1Bias: Tensor;    // [F]
  linear2Weight: Tensor;  // [E, F]
  linear2Bias: Tensor;    // [E]
  activation: 'relu' | 'gelu';
  normFirst: boolean;
  /** Both layer norms' eps (default 1e-5). */
  eps?: number;
}

/**
 * A whole transformer encoder layer in one call of libtorch's fused inference kernel
 * (`_transformer_encoder_layer_fwd`): what PyTorch's nn.TransformerEncoderLayer runs in eval mode without grad, its
 * "fast path". Batch-first tokens `x` `[N, L, E]` → `[N, L, E]`, no attention mask, no dropout. The kernel has no
 * backward, so this refuses to run where gradients are recorded; the result equals the layer composed from ops to
 * float rounding (the kernel fuses and orders the sums differently).
 * @example const y = noGrad(() => F.transformerEncoderLayerFused(tokens, weights)); // [N, L, E]
 */
export function transformerEncoderLayerFused(x: Tensor, w: EncoderLayerWeights): Tensor {
  const fn = 'transformerEncoderLayerFused';
  checkDims(fn, 'x', x, [3], '[N, L, E]');
  checkFloat(fn, 'x', x);
  const e = x.shape[2]!;
  checkInt(fn, 'numHeads', w.numHeads, 1);
  if (e % w.numHeads !== 0) throw new TorchError('SHAPE', `${fn}: the embedding size ${e} of 'x' must be divisible by numHeads=${w.numHeads}`);
  if (w.inProjWeight.ndim !== 2 || w.inProjWeight.shape[0] !== 3 * e || w.inProjWeight.shape[1] !== e) {
    throw new TorchError('SHAPE', `${fn}: 'inProjWeight' must be [${3 * e}, ${e}] for 'x' ${fmtShape(x.shape)}, got ${fmtShape(w.inProjWeight.shape)}`);
  }
  if (isGradEnabled() && [x, w.inProjWeight, w.outProjWeight, w.linear1Weight, w.linear2Weight].some((t) => t.requiresGrad)) {
    throw new TorchError('ARGUMENT', `${fn}: the fused kernel has no backward; call it under noGrad() or with tensors that do not require grad`);
  }
  return Tensor.op('transformerEncoderLayerFwd', handleOf(x, fn, 'x'), e, w.numHeads,
    handleOf(w.inProjWeight, fn, 'inProjWeight'), handleOf(w.inProjBias, fn, 'inProjBias'),
    handleOf(w.outProjWeight, fn, 'outProjWeight'), handleOf(w.outProjBias, fn, 'outProjBias'),
    w.activation === 'gelu', w.normFirst, w.eps ?? 1e-5,
    handleOf(w.norm1Weight, fn, 'norm1Weight'), handleOf(w.norm1Bias, fn, 'norm1Bias'),
    handleOf(w.norm2Weight, fn, 'norm2Weight'), handleOf(w.norm2Bias, fn, 'norm2Bias'),
    handleOf(w.linear1Weight, fn, 'linear1Weight'), handleOf(w.linear1Bias, fn, 'linear1Bias'),
    handleOf(w.linear2Weight, fn, 'linear2Weight'), handleOf(w.linear2Bias, fn, 'linear2Bias'));
}
