import { nn, type Tensor } from '@ecglab/engine';
import type { AttentionConfig } from './config.js';
import { checkTokens, feedForward } from './smam.js';

/**
 * One direction of cross-modal attention: the tokens of one stream (queries) gather information from the
 * tokens of the other (keys and values), in a pre-norm block like SMAM's:
 *
 *     x ← x + dropout1(MHA(LNq(x), LNc(ctx), LNc(ctx), ctxPadding))
 *     x ← x + dropout2(W2 · dropout(GELU(W1 · LN2(x))))
 *
 * The context has its own LayerNorm (`normContext`): the two streams' tokens come from different networks
 * and need not share a scale. It is the cross-attention half of a pre-norm decoder layer; its PyTorch twin is
 * in fixtures/vizecg_torch.py with the same parameter names.
 *
 * @example
 * const block = new CrossAttentionBlock(128, ATTENTION_DEFAULTS);
 * const img = block.call(imageTokens, signalTokens, signalPadding); // [N, Li, 128] attending over [N, Ls, 128]
 */
export class CrossAttentionBlock extends nn.Module {
  crossAttn: nn.MultiheadAttention;
  linear1: nn.Linear;
  dropout: nn.Dropout;
  linear2: nn.Linear;
  normQuery: nn.LayerNorm;
  normContext: nn.LayerNorm;
  norm2: nn.LayerNorm;
  dropout1: nn.Dropout;
  dropout2: nn.Dropout;

  constructor(readonly dim: number, cfg: AttentionConfig) {
    super();
    const hidden = Math.round(cfg.mlpRatio * dim);
    this.crossAttn = new nn.MultiheadAttention(dim, cfg.heads, { dropout: cfg.dropout });
    this.linear1 = new nn.Linear(dim, hidden);
    this.dropout = new nn.Dropout(cfg.dropout);
    this.linear2 = new nn.Linear(hidden, dim);
    this.normQuery = new nn.LayerNorm(dim);
    this.normContext = new nn.LayerNorm(dim);
    this.norm2 = new nn.LayerNorm(dim);
    this.dropout1 = new nn.Dropout(cfg.dropout);
    this.dropout2 = new nn.Dropout(cfg.dropout);
  }

  /** Queries `x` `[N, L, dim]` attend over `context` `[N, S, dim]`; `contextPadding` `[N, S]` bool marks keys to ignore. */
  forward(x: Tensor, context: Tensor, contextPadding: Tensor | null = null): Tensor {
    checkTokens('CrossAttentionBlock', 'x', x, this.dim);
    checkTokens('CrossAttentionBlock', 'context', context, this.dim, contextPadding, 'contextPadding');
    const q = this.normQuery.forward(x);
    const c = this.normContext.forward(context);
    const [a] = this.crossAttn.forward(q, c, c, { ...(contextPadding ? { keyPaddingMask: contextPadding } : {}), needWeights: false });
    q.dispose();
    c.dispose();
    const x1 = nn.pipe(a, (t) => this.dropout1.forward(t), (t) => x.add(t));
    a.dispose();
    const ff = nn.pipe(x1, (t) => this.norm2.forward(t), (t) => feedForward(this, t));
    const out = x1.add(ff);
    x1.dispose();
    ff.dispose();
    return out;
  }
}

/**
 * CMAM, the cross-modal attention module: both directions at once, each computed from the other stream's
 * tokens as they entered (not one after the other, so neither direction sees the other's update first).
 * Image tokens attend to the signal's time steps, masked where the record has ended; signal time steps attend
 * to every image position (a page has no padding).
 *
 * @example
 * const cmam = new CrossModalAttention(128, ATTENTION_DEFAULTS);
 * const { image, signal } = cmam.call(imageTokens, signalTokens, signalPadding);
 */
export class CrossModalAttention extends nn.Module {
  imageFromSignal: CrossAttentionBlock;
  signalFromImage: CrossAttentionBlock;

  constructor(dim: number, cfg: AttentionConfig) {
    super();
    this.imageFromSignal = new CrossAttentionBlock(dim, cfg);
    this.signalFromImage = new CrossAttentionBlock(dim, cfg);
  }

  /** `image` `[N, Li, d]`, `signal` `[N, Ls, d]`, `signalPadding` `[N, Ls]` bool → both streams' updated tokens. */
  forward(image: Tensor, signal: Tensor, signalPadding: Tensor | null): { image: Tensor; signal: Tensor } {
    return {
      image: this.imageFromSignal.forward(image, signal, signalPadding),
      signal: this.signalFromImage.forward(signal, image),
    };
  }
}
