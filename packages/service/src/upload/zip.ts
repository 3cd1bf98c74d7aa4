import yauzl from 'yauzl';
import { ServiceError } from '../errors.js';
import type { UploadedFile } from './files.js';

export interface ZipLimits {
  /** Entries (files) in one zip. */
  maxEntries: number;
  /** Bytes of all entries once inflated. */
  maxBytes: number;
  /** Inflated / compressed size of one entry: above it, the entry is a bomb, not a record. */
  maxRatio: number;
}

/**
 * The files of a zip, by base name (records are folders of files, so `A00001/A00001.hea` is `A00001.hea`).
 * Refused with a 4xx naming the entry: names with `..` or absolute paths, encrypted entries, more entries
 * or more inflated bytes than `limits` allow, entries inflating more than `maxRatio` times (a zip bomb),
 * and entries whose real size differs from the size they declare (yauzl checks it while inflating, and we
 * count the bytes ourselves, so a lying header cannot make us inflate more than the limit).
 *
 * @example const files = await unzipUpload({ name: 'records.zip', data }, { maxEntries: 64, maxBytes: 64 << 20, maxRatio: 200 });
 */
export async function unzipUpload(zip: UploadedFile, limits: ZipLimits): Promise<UploadedFile[]> {
  let file: yauzl.ZipFile;
  try {
    file = await yauzl.fromBufferPromise(Buffer.from(zip.data.buffer, zip.data.byteOffset, zip.data.byteLength), { validateEntrySizes: true, strictFileNames: true });
  } catch (err) {
    throw new ServiceError('BAD_ZIP', `${zip.name}: not a readable zip (${(err as Error).message})`);
  }
  const out: UploadedFile[] = [];
  let total = 0;
  let entries = 0;
  try {
    for await (const entry of file.eachEntry()) {
      const name = entry.fileName;
      if (name.endsWith('/')) continue; // a folder
      const base = name.slice(name.lastIndexOf('/') + 1);
      if (name.startsWith('__MACOSX/') || base.startsWith('.')) continue; // Finder's resource forks, hidden files
      if (++entries > limits.maxEntries) throw new ServiceError('ZIP_BOMB', `${zip.name}: has more than ${limits.maxEntries} files`);
      if (entry.isEncrypted()) throw new ServiceError('BAD_ZIP', `${zip.name}: entry '${name}' is encrypted`);
      if (!entry.canDecodeFileData()) throw new ServiceError('BAD_ZIP', `${zip.name}: entry '${name}' uses compression method ${entry.compressionMethod}; only stored and deflated entries are read`);
      if (total + entry.uncompressedSize > limits.maxBytes) {
        throw new ServiceError('ZIP_BOMB', `${zip.name}: entries inflate to more than ${limits.maxBytes} bytes (at '${name}', ${entry.uncompressedSize} bytes); refused as a zip bomb`);
      }
      if (entry.compressedSize > 0 && entry.uncompressedSize / entry.compressedSize > limits.maxRatio) {
        throw new ServiceError('ZIP_BOMB', `${zip.name}: entry '${name}' inflates ${Math.round(entry.uncompressedSize / entry.compressedSize)} times (limit ${limits.maxRatio}); refused as a zip bomb`);
      }
      if (/\.zip$/i.test(base)) throw new ServiceError('UNSUPPORTED_TYPE', `${zip.name}: entry '${name}' is a zip inside the zip; put the records in one zip`);
      if (out.some((f) => f.name === base)) throw new ServiceError('BAD_ZIP', `${zip.name}: two entries are named '${base}'; put records with the same name in separate uploads`);
      const data = await readEntry(file, entry, Math.min(entry.uncompressedSize, limits.maxBytes - total), `${zip.name}: entry '${name}'`);
      total += data.byteLength;
      out.push({ name: base, data });
    }
  } catch (err) {
    if (err instanceof ServiceError) throw err;
    const msg = (err as Error).message;
    // yauzl's own name checks (strictFileNames): "invalid relative path: ../x", "absolute path: /x".
    if (/invalid relative path|absolute path|invalid characters in fileName/.test(msg)) {
      throw new ServiceError('BAD_ZIP', `${zip.name}: ${msg}: entries with '..', '\\' or absolute paths are refused`);
    }
    throw new ServiceError('BAD_ZIP', `${zip.name}: not a readable zip (${msg})`);
  } finally {
    file.close();
  }
  if (out.length === 0) throw new ServiceError('BAD_ZIP', `${zip.name}: holds no files`);
  return out;
}

/** An entry's bytes, stopping (and refusing) past `limit`. */
async function readEntry(file: yauzl.ZipFile, entry: yauzl.Entry, limit: number, what: string): Promise<Uint8Array> {
  const stream = await file.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      n += chunk.byteLength;
      if (n > limit) throw new ServiceError('ZIP_BOMB', `${what} inflates past its declared ${entry.uncompressedSize} bytes; refused as a zip bomb`);
      chunks.push(chunk);
    }
  } catch (err) {
    stream.destroy();
    if (err instanceof ServiceError) throw err;
    const msg = (err as Error).message;
    if (/too many bytes|too few bytes/.test(msg)) throw new ServiceError('ZIP_BOMB', `${what}: its size differs from the size it declares (${msg}); refused`);
    throw new ServiceError('BAD_ZIP', `${what}: cannot be inflated (${msg})`);
  }
  const all = Buffer.concat(chunks);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}
