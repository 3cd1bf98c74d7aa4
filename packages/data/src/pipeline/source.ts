import { PipelineError } from '../errors.js';
import type { EcgDatabase } from '../databases/types.js';
import type { EcgRecord } from '../record/record.js';

/**
 * Where a pipeline's records come from: ids, a loader, and (for training and evaluation) each record's
 * multi-hot targets. A database adapter, a list of files, or records already in memory all fit.
 */
export interface RecordSource {
  /** Names the signals, for cache keys: two sources with the same `name` must return the same records. */
  readonly name: string;
  readonly ids: readonly string[];
  load(id: string): Promise<EcgRecord>;
  /** Multi-hot targets over the classes (one-hot for single-label data); absent for unlabelled records. */
  targets?(id: string): Float32Array;
}

/**
 * A database adapter's records as a source, optionally only `ids` and with targets mapped by `targets`
 * (default: the adapter's own multi-hot labels).
 *
 * @example databaseSource(openCinc2017(dir), trainIds)
 */
export function databaseSource(db: EcgDatabase, ids: readonly string[] = db.list(), targets: (id: string) => Float32Array = (id) => db.labels(id).multiHot): RecordSource {
  const listed = new Set(db.list());
  const unknown = ids.filter((id) => !listed.has(id));
  if (unknown.length > 0) throw new PipelineError(`databaseSource: ids not in ${db.facts.name}: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', ...' : ''}`);
  return { name: db.source, ids: [...ids], load: (id) => db.load(id), targets };
}

/**
 * Records already in memory (a predict request, a test) as a source; `targets[i]` belongs to `records[i]`.
 * Record ids must be unique.
 */
export function memorySource(records: readonly EcgRecord[], targets?: readonly Float32Array[], name = 'memory'): RecordSource {
  const byId = new Map<string, number>();
  records.forEach((r, i) => {
    if (byId.has(r.id)) throw new PipelineError(`memorySource: record id '${r.id}' appears twice`);
    byId.set(r.id, i);
  });
  if (targets && targets.length !== records.length) throw new PipelineError(`memorySource: ${records.length} records but ${targets.length} target rows`);
  return {
    name,
    ids: records.map((r) => r.id),
    load: async (id) => records[byId.get(id)!]!,
    ...(targets ? { targets: (id: string) => targets[byId.get(id)!]! } : {}),
  };
}
