import type { EcgRecord } from '@ecglab/data';
import type { ServiceContext } from '../context.js';
import { ServiceError } from '../errors.js';
import { findModel, leadFit, matchModel, type BundledModel } from '../models/registry.js';

/**
 * The signal model for an upload's records: by name, or the one matching the first record's leads (and
 * `task`). Every record must have the leads the model reads: else a 422 naming the record and what is missing.
 */
export function chooseModel(ctx: ServiceContext, records: readonly EcgRecord[], name?: string, task?: string): BundledModel {
  const m = name ? findModel(ctx.models, name) : matchModel(ctx.models, records[0]!.leadNames, task);
  if (m.modality !== 'signal') throw new ServiceError('BAD_REQUEST', `model '${m.name}' reads images, not records`);
  for (const r of records) {
    const fit = leadFit(m.spec, r.leadNames);
    if (!fit.ok) {
      throw new ServiceError('WRONG_LEADS', `${r.id}: model '${m.name}' reads leads ${m.spec.conform.leads?.join(',') ?? `${m.spec.conform.leadIndices!.length} by position`}; the record has ${r.leadNames.length} lead(s) (${r.leadNames.join(',')}), missing ${fit.missing.join(',')}`);
    }
  }
  return m;
}

export function modelRef(m: BundledModel): { name: string; title?: string; card: string } {
  return { name: m.name, ...(m.meta.title ? { title: m.meta.title } : {}), card: `/models/${encodeURIComponent(m.name)}/card` };
}

/**
 * The image model for a photo: by name, else the first installed (by name) whose card's `task` (or name) is
 * `task` when given. None installed: 422 NO_IMAGE_MODEL naming the photo.
 */
export function chooseImageModel(ctx: ServiceContext, photo: string, name?: string, task?: string): BundledModel {
  if (name) {
    const m = findModel(ctx.models, name);
    if (m.modality !== 'image') throw new ServiceError('BAD_REQUEST', `field 'model': '${m.name}' reads records, not photos (${photo}); image models: ${ctx.models.filter((x) => x.modality === 'image').map((x) => x.name).join(', ') || 'none installed'}`);
    return m;
  }
  const images = ctx.models.filter((m) => m.modality === 'image');
  if (images.length === 0) throw new ServiceError('NO_IMAGE_MODEL', `${photo}: no image model installed; photos of printouts need an image model in the models folder. Send the record's signal files instead`);
  const fit = task === undefined ? images : images.filter((m) => m.meta.task === task || m.name === task);
  if (fit.length === 0) throw new ServiceError('NO_MODEL', `field 'task': no image model for task '${task}' (image models: ${images.map((m) => `${m.name} (${m.meta.task ?? 'no task'})`).join(', ')})`);
  return fit[0]!;
}
