import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import type { PreparedRecord } from './preprocess.js';

// Entry layout (little-endian): 'ECGC' | u32 version | u32 leads | u32 length | f64 fs |
// 16 bytes sha-256 prefix of the payload | payload f32[leads * length]. 40-byte header.
const MAGIC = 0x43474345; // 'ECGC' read as LE u32
const VERSION = 1;
const HEADER = 40;

export interface CacheStats {
  hits: number;
  misses: number;
  /** Entries found damaged (truncated, bad header or checksum) and rebuilt. */
  corrupt: number;
}

/**
 * On-disk cache of preprocessed records, one file per (database, record, preprocessing config hash).
 * Writes are atomic (temp file + rename), so a crash never leaves a half-written entry under the
 * final name; an entry damaged anyway (truncated, bit rot) fails its size or sha-256 check and is
 * rebuilt. Example: `await cache.get('cinc2017', 'A00001', hash, () => preprocess(...))`.
 */
export class RecordCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, corrupt: 0 };
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** `source` identifies the database's signals (EcgDatabase.source). */
  pathOf(source: string, id: string, cfgHash: string): string {
    const key = createHash('sha256').update(`${source}\0${id}\0${cfgHash}`).digest('hex').slice(0, 40);
    return join(this.dir, `${key}.ecgc`);
  }

  /** Reads an entry; undefined when absent or damaged (damage is counted). */
  read(path: string): PreparedRecord | undefined {
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
    if (buf.length !== HEADER + 4 * leads * length) return bad();
    const payload = buf.subarray(HEADER);
    const sum = createHash('sha256').update(payload).digest().subarray(0, 16);
    if (!sum.equals(buf.subarray(24, 40))) return bad();
    // copy into an aligned buffer: Buffer's byteOffset may not be a multiple of 4
    const data = new Float32Array(leads * length);
    new Uint8Array(data.buffer).set(payload);
    return { data, leads, length, fs };
  }

  async write(path: string, rec: PreparedRecord): Promise<void> {
    const head = new Uint8Array(HEADER);
    const dv = new DataView(head.buffer);
    dv.setUint32(0, MAGIC, true);
    dv.setUint32(4, VERSION, true);
    dv.setUint32(8, rec.leads, true);
    dv.setUint32(12, rec.length, true);
    dv.setFloat64(16, rec.fs, true);
    const payload = new Uint8Array(rec.data.buffer, rec.data.byteOffset, rec.data.byteLength);
    head.set(createHash('sha256').update(payload).digest().subarray(0, 16), 24);
    await writeFileAtomic(path, [head, payload]);
  }

  /** The cached entry, or `build()`'s result written to the cache. */
  async get(source: string, id: string, cfgHash: string, build: () => Promise<PreparedRecord>): Promise<PreparedRecord> {
    const path = this.pathOf(source, id, cfgHash);
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
