import { argError } from './errors.js';
import { type Signal, signalShape } from './types.js';

/** The standard 12 leads in their usual order. */
export const STANDARD_12 = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;

/** Case-insensitive key of a lead name: `AVR`, `avr` and `aVR` are the same lead. */
export function leadKey(name: string): string {
  return name.trim().toUpperCase();
}

/** The standard spelling of a lead name if it is one of the 12 (`AVR` → `aVR`), else the name trimmed. */
export function canonicalLead(name: string): string {
  const k = leadKey(name);
  return STANDARD_12.find((l) => l.toUpperCase() === k) ?? name.trim();
}

/**
 * Where each wanted lead sits among a record's lead `names`, case-insensitively (`AVR` finds `aVR`); -1 for
 * a lead the record lacks when `missing` is 'zeros', else an error naming the missing leads and `source`.
 *
 * @example leadIndices(['I', 'II', 'AVR'], ['aVR', 'II']); // [2, 1]
 */
export function leadIndices(
  names: readonly string[],
  wanted: readonly string[],
  opts: { missing?: 'error' | 'zeros'; source?: string } = {},
): number[] {
  const index = new Map<string, number>();
  names.forEach((nm, i) => {
    if (!index.has(leadKey(nm))) index.set(leadKey(nm), i);
  });
  const missing = wanted.filter((w) => !index.has(leadKey(w)));
  if (missing.length > 0 && (opts.missing ?? 'error') === 'error') {
    argError('selectLeads', 'wanted', `asks for lead${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing from ${opts.source ?? 'the record'} (has ${names.join(', ')})`);
  }
  return wanted.map((w) => index.get(leadKey(w)) ?? -1);
}

/**
 * Selects and reorders leads by name, case-insensitively. With `missing: 'zeros'` an absent lead
 * becomes a zero lead (its index is reported in `absent`); by default it is an error naming it.
 * Example: `selectLeads(sig, ['I','II','AVR'], ['II','aVR'])`.
 */
export function selectLeads(
  sig: Signal,
  names: readonly string[],
  wanted: readonly string[],
  opts: { missing?: 'error' | 'zeros'; source?: string } = {},
): { signal: Signal; names: string[]; absent: number[] } {
  const [leads, n] = signalShape('selectLeads', sig);
  if (names.length !== leads) argError('selectLeads', 'names', `has ${names.length} names for ${leads} leads`);
  const idx = leadIndices(names, wanted, opts);
  const absent = idx.flatMap((i, j) => (i < 0 ? [j] : []));
  const signal = idx.map((i) => (i < 0 ? new Float64Array(n) : sig[i]!.slice()));
  return { signal, names: wanted.map(canonicalLead), absent };
}
