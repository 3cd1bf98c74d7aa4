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
