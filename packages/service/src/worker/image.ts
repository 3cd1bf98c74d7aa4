// Photos of printouts through an image model (VizECGNet), in the inference worker: the models package's own
// image path (Predictor.predictImages: EXIF orientation, the training resize, the image stream alone) and
// the input-gradient saliency over the page the model reads.
import { enableGrad, fromArray, grad, tidy } from '@ecglab/engine';
import { readPageImage } from '@ecglab/render';
import { VizECGNet, type ImagePrediction } from '@ecglab/models';
import { predictorOf } from './loaded.js';

/** Where the saliency lies and what it is: the model's page, and the part of it the photo fills. */
export interface ImageExplanation {
  /** The model's page size in pixels (the saliency's size). */
  width: number;
  height: number;
  /**
   * The photo's place in the page, in page pixels: the whole page for `fit: 'fill'`, the letterboxed
   * rectangle for `contain` (white margins around it), as @ecglab/render's resize places it.
   */
  region: { left: number; top: number; width: number; height: number };
  /** `[height·width]` row-major: ∂ logit[c] / ∂ brightness of each page pixel (all channels at once), c the predicted class. */
  saliency: Float32Array;
  classIndex: number;
  className: string;
}

export interface ImageResult {
  prediction: ImagePrediction;
  explanation?: ImageExplanation;
}

/**
 * The prediction of an image model for a PNG/JPEG file (a photo or scan of a printout) at `path`, by
 * Predictor.predictImages; with `explain`, also the gradient of the predicted class's logit (the most probable
 * one for multi-label models) with respect to the page as the model reads it. The page is decoded a second
 * time for the gradient: predictImages owns its batch under no-grad, and a photo costs ~20 ms to decode.
 */
export async function predictImage(name: string, path: string, explain: boolean): Promise<ImageResult> {
  const p = predictorOf(name);
  const [prediction] = await p.predictImages([path]);
  if (!explain) return { prediction: prediction! };
  const model = p.model;
  if (!(model instanceof VizECGNet)) throw new Error(`model '${name}' reads images but is a ${model.constructor.name}, not VizECGNet`);
  const pages = p.spec.pages!;
  const img = await readPageImage(path, { width: pages.width, height: pages.height, fit: pages.fit, channels: pages.channels });
  model.eval();
  const { g, k } = tidy(() => enableGrad(() => {
    const page = fromArray(img.data, [1, ...img.shape]).requiresGrad_(); // [1, C, H, W]
    const logits = model.forward(page); // [1, K]: the image stream alone, as at inference
    const k = logits.argmax(1).item();
    const [d] = grad(logits.select(1, k).sum(), page);
    return { g: d!.sum(1).toArray() as Float32Array, k }; // [1, C, H, W] → [1, H, W]
  }));
  return {
    prediction: prediction!,
    explanation: { width: pages.width, height: pages.height, region: placement(img.source, pages), saliency: g, classIndex: k, className: p.spec.classes[k]! },
  };
}

/** Where a `w × h` image lands in the page: @ecglab/render's resize (tensor.ts) in the same arithmetic. */
function placement(src: { width: number; height: number }, page: { width: number; height: number; fit: 'fill' | 'contain' }): ImageExplanation['region'] {
  if (page.fit === 'fill') return { left: 0, top: 0, width: page.width, height: page.height };
  const s = Math.min(page.width / src.width, page.height / src.height);
  const width = Math.min(page.width, Math.max(1, Math.round(src.width * s)));
  const height = Math.min(page.height, Math.max(1, Math.round(src.height * s)));
  return { left: Math.floor((page.width - width) / 2), top: Math.floor((page.height - height) / 2), width, height };
}
