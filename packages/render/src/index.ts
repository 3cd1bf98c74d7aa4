export { RenderError, RenderArgumentError, RenderImageError, RenderLayoutError, RenderOutputError, RenderWorkerError } from './errors.js';
export {
  DEFAULT_OPTIONS,
  GAINS,
  GRID_COLOURS,
  LAYOUTS,
  SPEEDS,
  checkRecord,
  resolveOptions,
  type EcgRecord,
  type GridColour,
  type Layout,
  type Orientation,
  type PageSize,
  type RenderOptions,
} from './options.js';
export { ARTEFACT_NAMES, parseArtefacts, type ArtefactName, type ArtefactStrengths } from './artefacts/names.js';
export { layoutPage, STANDARD_LEADS, PAGE_MM, type PageLayout, type Panel } from './layout.js';
export { checkPageBudget, pagePixels, maxPagePixels, DEFAULT_MAX_PAGE_PIXELS, MAX_PAGE_PIXELS_VARIABLE } from './page-budget.js';
export { renderPage, renderPageSync, jpegQuality, type RenderedPage } from './page.js';
export { encodeImage, writePage, formatOf, sidecarPath, type ImageFormat, type EncodeOptions } from './encode.js';
export { renderToTensor, rgbaToPlanes, type TensorOptions, type TensorBatch } from './tensor.js';
export { readPageImage, type PageImageOptions, type PageImage } from './image-input.js';
export { transformSidecar, type Sidecar, type LeadBox, type Box, type ArtefactRecord } from './sidecar.js';
export { apply as applyMat3, invert as invertMat3, multiply as multiplyMat3, type Mat3, type Point } from './homography.js';
export type { RgbaImage } from './image.js';
export { readPageRecord, listRecords, renderBatch, renderRecordFile, recordSeed, type BatchOptions, type BatchResult } from './batch.js';
export { ensureFont, FONT_FAMILY } from './font.js';
export { RenderPool, type PoolOptions } from './pool.js';
export type { WriteOptions } from './pool-protocol.js';
