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
  const index = new Map<string, number>();
  names.forEach((nm, i) => {
    if (!index.has(leadKey(nm))) index.set(leadKey(nm), i);
  });
  const out: Signal = [];
  const absent: number[] = [];
  const missing = wanted.filter((w) => !index.has(leadKey(w)));
  if (missing.length > 0 && (opts.missing ?? 'error') === 'error') {
    argError('selectLeads', 'wanted', `asks for lead${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing from ${opts.source ?? 'the record'} (has ${names.join(', ')})`);
  }
  wanted.forEach((w, j) => {
    const i = index.get(leadKey(w));
    if (i === undefined) {
      out.push(new Float64Array(n));
      absent.push(j);
    } else out.push(sig[i]!.slice());
  });
  return { signal: out, names: wanted.map(canonicalLead), absent };
}
