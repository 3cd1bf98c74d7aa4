import { nn, F, isAutocastEnabled, isGradEnabled, type Tensor } from '@ecglab/engine';
import { ArgumentError } from '../errors.js';
import type { AttentionConfig } from './config.js';

/** The position-wise MLP of a transformer block: linear1 → GELU → dropout → linear2 → dropout2. */
export function feedForward(b: { linear1: nn.Linear; dropout: nn.Dropout; linear2: nn.Linear; dropout2: nn.Dropout }, x: Tensor): Tensor {
  return nn.pipe(x, (t) => b.linear1.forward(t), (t) => F.gelu(t), (t) => b.dropout.forward(t), (t) => b.linear2.forward(t), (t) => b.dropout2.forward(t));
}

/** Checks tokens `[N, L, dim]` and an optional key padding mask `[N, L]` bool. */
export function checkTokens(fn: string, name: string, x: Tensor, dim: number, padding?: Tensor | null, paddingName = 'padding'): void {
  if (x.ndim !== 3 || x.shape[2] !== dim) throw new ArgumentError(`${fn}: '${name}' must be [N, L, ${dim}], got [${x.shape.join(', ')}]`);
  if (padding && (padding.dtype !== 'bool' || padding.ndim !== 2 || padding.shape[0] !== x.shape[0] || padding.shape[1] !== x.shape[1])) {
    throw new ArgumentError(`${fn}: '${paddingName}' must be bool [${x.shape[0]}, ${x.shape[1]}], got ${padding.dtype} [${padding.shape.join(', ')}]`);
  }
}

/**
 * SMAM, the self-modality attention module: one pre-norm transformer encoder block over one stream's tokens,
 * capturing dependencies across the whole page (image) or the whole record (signal), which the CNNs'
 * receptive fields do not reach.
 *
 *     x ← x + dropout1(MHA(LN1(x), LN1(x), LN1(x), keyPadding))
 *     x ← x + dropout2(W2 · dropout(GELU(W1 · LN2(x))))
 *
 * Pre-norm (LayerNorm before each sublayer, as in ViT) rather than the original post-norm: the residual path
 * is an identity, so at initialisation the block passes the CNN's features through and training from scratch
 * needs no learning-rate warm-up. It is PyTorch's `nn.TransformerEncoderLayer(d, heads, mlpRatio·d, dropout,
 * activation='gelu', batch_first=True, norm_first=True)` with the same parameter names, so weights interchange
 * (the fixtures check it against that class). Padded keys (signal positions past a record's end) get no
 * attention; padded queries produce outputs that the stream's pooling ignores.
 *
 * @example
 * const smam = new SelfModalityAttention(128, ATTENTION_DEFAULTS);
 * const y = smam.call(tokens, padding); // tokens [N, L, 128], padding [N, L] bool (true = ignore) or null
 */
export class SelfModalityAttention extends nn.Module {
  selfAttn: nn.MultiheadAttention;
  linear1: nn.Linear;
  dropout: nn.Dropout;
  linear2: nn.Linear;
  norm1: nn.LayerNorm;
  norm2: nn.LayerNorm;
  dropout1: nn.Dropout;
  dropout2: nn.Dropout;

  constructor(readonly dim: number, cfg: AttentionConfig) {
    super();
    const hidden = Math.round(cfg.mlpRatio * dim);
    this.selfAttn = new nn.MultiheadAttention(dim, cfg.heads, { dropout: cfg.dropout });
    this.linear1 = new nn.Linear(dim, hidden);
    this.dropout = new nn.Dropout(cfg.dropout);
    this.linear2 = new nn.Linear(hidden, dim);
    this.norm1 = new nn.LayerNorm(dim);
    this.norm2 = new nn.LayerNorm(dim);
    this.dropout1 = new nn.Dropout(cfg.dropout);
    this.dropout2 = new nn.Dropout(cfg.dropout);
  }

  /** Tokens `[N, L, dim]` → `[N, L, dim]`; `padding` `[N, L]` bool marks keys to ignore. */
  forward(x: Tensor, padding: Tensor | null = null): Tensor {
    return this.attend(x, padding, false).out;
  }

  /**
   * The forward pass, and with `weights` true also the attention weights averaged over heads `[N, L, L]`
   * (row i: how much token i drew from each token), for visualisations.
   */
  attend(x: Tensor, padding: Tensor | null, weights: boolean): { out: Tensor; weights: Tensor | null } {
    checkTokens('SelfModalityAttention', 'x', x, this.dim, padding);
    if (!weights && padding === null && this.fusedApplies()) return { out: F.transformerEncoderLayerFused(x, this.encoderWeights()), weights: null };
    const h = this.norm1.forward(x);
    const [a, w] = this.selfAttn.forward(h, h, h, { ...(padding ? { keyPaddingMask: padding } : {}), needWeights: weights });
    h.dispose();
    const x1 = nn.pipe(a, (t) => this.dropout1.forward(t), (t) => x.add(t));
    a.dispose();
    const ff = nn.pipe(x1, (t) => this.norm2.forward(t), (t) => feedForward(this, t));
    const out = x1.add(ff);
    x1.dispose();
    ff.dispose();
    return { out, weights: w };
  }

  // PyTorch's nn.TransformerEncoderLayer runs its fused kernel (the "fast path") in eval mode without grad, with no
  // mask, an even number of heads and no autocast; so does this layer, for the same speed and the same numbers
  // (the kernel orders its sums differently from the composed layer; they agree to float rounding).
  // The constructor gives every projection a bias and both norms weights, biases and the same eps, as the kernel needs.
  private fusedApplies(): boolean {
    return !this.training && !isGradEnabled() && !isAutocastEnabled() && this.selfAttn.numHeads % 2 === 0;
  }

  /** The layer's weights under nn.TransformerEncoderLayer's names, for the fused kernel. */
  encoderWeights(): F.EncoderLayerWeights {
    const a = this.selfAttn;
    return {
      numHeads: a.numHeads, inProjWeight: a.inProjWeight, inProjBias: a.inProjBias!, outProjWeight: a.outProj.weight, outProjBias: a.outProj.bias!,
      norm1Weight: this.norm1.weight!, norm1Bias: this.norm1.bias!, norm2Weight: this.norm2.weight!, norm2Bias: this.norm2.bias!,
      linear1Weight: this.linear1.weight, linear1Bias: this.linear1.bias!, linear2Weight: this.linear2.weight, linear2Bias: this.linear2.bias!,
      activation: 'gelu', normFirst: true, eps: this.norm1.eps,
    };
  }
}
