import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import type { EcgRecord } from '../record/record.js';

// Entry layout (little-endian): 'ECGC' | u32 version | u32 leads | u32 length | f64 fs |
// 16-byte sha-256 prefix of what follows the header | u32 json bytes | json {id, leadNames, meta} |
// padding to a multiple of 4 | payload f32[leads · length]. The header is 44 bytes.
const MAGIC = 0x43474345; // 'ECGC' read as LE u32
const VERSION = 2;
const HEADER = 44;

export interface CacheStats {
  hits: number;
  misses: number;
  /** Entries found damaged (truncated, bad header or checksum) and rebuilt. */
  corrupt: number;
}

/**
 * On-disk cache of conformed records, one file per (source, record, conform spec hash). Writes are
 * atomic (temp file + rename), so a crash never leaves a half-written entry under the final name; an
 * entry damaged anyway (truncated, bit rot) fails its size or sha-256 check and is rebuilt.
 *
 * @example await cache.get(source.name, 'A00001', specHash, () => conformOne('A00001'))
 */
export class RecordCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, corrupt: 0 };
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  pathOf(source: string, id: string, specHash: string): string {
    const key = createHash('sha256').update(`${source}\0${id}\0${specHash}`).digest('hex').slice(0, 40);
    return join(this.dir, `${key}.ecgc`);
  }

  /** Reads an entry; undefined when absent or damaged (damage is counted). */
  read(path: string): EcgRecord | undefined {
    if (!existsSync(path)) return undefined;
    const buf = readFileSync(path);
    const bad = (): undefined => {
      this.stats.corrupt++;
      return undefined;
    };
    if (buf.length < HEADER) return bad();
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (dv.getUint32(0, true) !== MAGIC || dv.getUint32(4, true) !== VERSION) return bad();
    const leads = dv.getUint32(8, true);
    const length = dv.getUint32(12, true);
    const fs = dv.getFloat64(16, true);
    const jsonBytes = dv.getUint32(40, true);
    const payloadAt = HEADER + Math.ceil(jsonBytes / 4) * 4;
    if (buf.length !== payloadAt + 4 * leads * length) return bad();
    const sum = createHash('sha256').update(buf.subarray(40)).digest().subarray(0, 16);
    if (!sum.equals(buf.subarray(24, 40))) return bad();
    const info = JSON.parse(buf.subarray(HEADER, HEADER + jsonBytes).toString('utf8')) as Pick<EcgRecord, 'id' | 'leadNames' | 'meta'>;
    // one aligned copy: a Buffer's byteOffset need not be a multiple of 4
    const data = new Float32Array(leads * length);
    new Uint8Array(data.buffer).set(buf.subarray(payloadAt));
    const signals = Array.from({ length: leads }, (_, l) => data.subarray(l * length, (l + 1) * length));
    return { id: info.id, fs, signals, leadNames: info.leadNames, ...(info.meta ? { meta: info.meta } : {}) };
  }

  async write(path: string, rec: EcgRecord): Promise<void> {
    const json = Buffer.from(JSON.stringify({ id: rec.id, leadNames: rec.leadNames, meta: rec.meta }), 'utf8');
    const length = rec.signals[0]?.length ?? 0;
    const head = new Uint8Array(HEADER);
    const dv = new DataView(head.buffer);
    dv.setUint32(0, MAGIC, true);
    dv.setUint32(4, VERSION, true);
    dv.setUint32(8, rec.signals.length, true);
    dv.setUint32(12, length, true);
    dv.setFloat64(16, rec.fs, true);
    dv.setUint32(40, json.length, true);
    const pad = new Uint8Array(Math.ceil(json.length / 4) * 4 - json.length);
    const payload = rec.signals.map((s) => new Uint8Array(s.buffer, s.byteOffset, s.byteLength));
    const hash = createHash('sha256').update(head.subarray(40)).update(json).update(pad);
    for (const p of payload) hash.update(p);
    head.set(hash.digest().subarray(0, 16), 24);
    await writeFileAtomic(path, [head, json, pad, ...payload]);
  }

  /** The cached entry, or `build()`'s result written to the cache. */
  async get(source: string, id: string, specHash: string, build: () => Promise<EcgRecord>): Promise<EcgRecord> {
    const path = this.pathOf(source, id, specHash);
    const hit = this.read(path);
    if (hit) {
      this.stats.hits++;
      return hit;
    }
    this.stats.misses++;
    const rec = await build();
    await this.write(path, rec);
    return rec;
  }
}
