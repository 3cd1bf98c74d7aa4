import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { DataError, parseHeader, readRecord, type EcgRecord, type WfdbHeader } from '@ecglab/data';
import { ServiceError } from '../errors.js';
import type { Limits } from '../limits.js';
import { csvRecord } from './csv.js';
import { ACCEPTED, checkFileName, fileKind, type FileKind, type UploadedFile } from './files.js';
import { unzipUpload } from './zip.js';

/** A decoded photo or scan of a printout, checked for size. */
export interface ImageUpload {
  name: string;
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  data: Uint8Array;
  /** The photo written into the request's folder, for the image model's reader (deleted with the folder). */
  path: string;
}

/** What an upload holds: records (read in mV) or one image. */
export type Upload = { kind: 'records'; records: EcgRecord[] } | { kind: 'image'; image: ImageUpload };

/** Form fields that qualify the files: `fs` and `units` for a CSV. */
export interface UploadFields {
  fs?: number;
  units?: string;
}

/** Highest sampling rate accepted from a header or the `fs` field: far above any ECG, far below a memory bomb. */
const MAX_FS = 20_000;
const MAX_SIGNALS = 64;

/**
 * Reads an upload's files into records or one image. Files are written only into `dir` (the request's own
 * folder under the service's temporary directory, deleted by the caller after the request), under names
 * checked to be plain; WFDB headers are parsed from memory first, so a header naming signal files outside
 * the folder (`../x.dat`) is refused before anything is read. Every failure is a ServiceError (4xx) naming
 * the file, and the line for header errors.
 *
 * @example const up = await readUpload([{ name: 'A00001.hea', data }, { name: 'A00001.mat', data: mat }], {}, dir, DEFAULT_LIMITS);
 */
export async function readUpload(parts: UploadedFile[], fields: UploadFields, dir: string, limits: Limits): Promise<Upload> {
  if (parts.length === 0) throw new ServiceError('BAD_REQUEST', `field 'file': no file uploaded; send ${ACCEPTED}`);
  const files: UploadedFile[] = [];
  for (const p of parts) {
    checkFileName(p.name);
    if (p.data.byteLength === 0) throw new ServiceError('BAD_RECORD', `${p.name}: is empty`);
    if (fileKind(p) === 'zip') files.push(...(await unzipUpload(p, limits.zip)));
    else files.push(p);
  }
  if (files.length > limits.maxFiles) throw new ServiceError('BAD_REQUEST', `the upload holds ${files.length} files; the limit is ${limits.maxFiles}`);
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.name)) throw new ServiceError('BAD_REQUEST', `two files are named '${f.name}'`);
    seen.add(f.name);
  }
  const kinds = new Map<string, FileKind>(files.map((f) => [f.name, fileKind(f)]));
  const images = files.filter((f) => kinds.get(f.name) === 'png' || kinds.get(f.name) === 'jpeg');
  if (images.length > 0) {
    if (files.length > 1) throw new ServiceError('BAD_REQUEST', `send one photo per request, alone (got ${files.length} files: ${files.map((f) => f.name).slice(0, 5).join(', ')})`);
    const image = await checkImage(images[0]!, kinds.get(images[0]!.name) as 'png' | 'jpeg', limits);
    const path = join(dir, image.name);
    await mkdir(dir, { recursive: true });
    await writeFile(path, image.data, { flag: 'wx' });
    return { kind: 'image', image: { ...image, path } };
  }
  return { kind: 'records', records: await readRecords(files, kinds, fields, dir, limits) };
}

async function readRecords(files: UploadedFile[], kinds: Map<string, FileKind>, fields: UploadFields, dir: string, limits: Limits): Promise<EcgRecord[]> {
  const byName = new Map(files.map((f) => [f.name, f]));
  const headers = new Map<string, WfdbHeader>();
  const referenced = new Set<string>();
  for (const f of files) {
    if (kinds.get(f.name) !== 'header') continue;
    const h = parseUploadedHeader(f);
    headers.set(f.name.slice(0, -4), h);
    for (const s of h.signals) {
      referenced.add(s.fileName);
      if (!byName.has(s.fileName)) throw new ServiceError('BAD_RECORD', `${f.name}: names signal file '${s.fileName}', which was not uploaded; send it with the header`);
    }
    for (const seg of h.segments ?? []) if (seg.name !== '~') referenced.add(`${seg.name}.hea`);
  }
  for (const f of files) {
    const k = kinds.get(f.name)!;
    if (k === 'signal' && !referenced.has(f.name)) {
      throw new ServiceError('BAD_RECORD', `${f.name}: a signal file without its header; upload ${f.name.replace(/\.[^.]*$/, '')}.hea too`);
    }
  }
  await mkdir(dir, { recursive: true });
  await Promise.all(files.filter((f) => kinds.get(f.name) !== 'csv').map((f) => writeFile(join(dir, f.name), f.data, { flag: 'wx' })));
  const records: EcgRecord[] = [];
  const strip = (msg: string) => msg.split(`${dir}/`).join('');
  const read = async (path: string, id: string) => {
    try {
      records.push(await readRecord(join(dir, path), { id, nonVoltage: 'drop', maxSeconds: limits.maxRecordSeconds }));
    } catch (err) {
      if (err instanceof DataError) throw new ServiceError('BAD_RECORD', strip(err.message));
      throw err;
    }
  };
  for (const [base] of headers) if (!referenced.has(`${base}.hea`)) await read(`${base}.hea`, base);
  for (const f of files) {
    const k = kinds.get(f.name)!;
    if (k === 'mat' && !referenced.has(f.name)) {
      if (headers.has(f.name.slice(0, -4))) continue;
      await read(f.name, f.name.slice(0, -4));
    } else if (k === 'csv') {
      if (fields.fs === undefined) throw new ServiceError('BAD_REQUEST', `${f.name}: a CSV of samples needs the form field 'fs' (sampling rate in Hz)`);
      const text = new TextDecoder('utf-8', { fatal: false }).decode(f.data);
      records.push(csvRecord(f.name, text, { fs: fields.fs, maxSamples: Math.ceil(limits.maxRecordSeconds * fields.fs), ...(fields.units ? { units: fields.units } : {}) }));
    }
  }
  if (records.length === 0) throw new ServiceError('BAD_REQUEST', `the upload holds no record (files: ${files.map((f) => f.name).slice(0, 8).join(', ')}); send ${ACCEPTED}`);
  if (records.length > limits.maxRecords) throw new ServiceError('BAD_REQUEST', `the upload holds ${records.length} records; the limit is ${limits.maxRecords} per request`);
  for (const r of records) {
    if (r.signals[0]!.length < 2) throw new ServiceError('BAD_RECORD', `${r.id}: has ${r.signals[0]!.length} samples; too short to classify`);
  }
  return records;
}

/** Parses a header from memory and checks that everything it names is a plain file in the same folder. */
function parseUploadedHeader(f: UploadedFile): WfdbHeader {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(f.data);
  let h: WfdbHeader;
  try {
    h = parseHeader(text, f.name);
  } catch (err) {
    if (err instanceof DataError) throw new ServiceError('BAD_RECORD', err.message);
    throw err;
  }
  const plain = (n: string) => /^[^/\\\0]+$/.test(n) && n !== '..' && n !== '.';
  for (const s of h.signals) {
    if (!plain(s.fileName)) throw new ServiceError('BAD_RECORD', `${f.name}: signal file '${s.fileName}' is not a plain name in the record's folder; refused`);
  }
  for (const seg of h.segments ?? []) {
    if (!plain(seg.name)) throw new ServiceError('BAD_RECORD', `${f.name}: segment '${seg.name}' is not a plain name in the record's folder; refused`);
  }
  if (!(h.fs > 0 && h.fs <= MAX_FS)) throw new ServiceError('BAD_RECORD', `${f.name}: sampling rate ${h.fs} Hz is outside (0, ${MAX_FS}]`);
  if (h.nSig > MAX_SIGNALS) throw new ServiceError('BAD_RECORD', `${f.name}: has ${h.nSig} signals; at most ${MAX_SIGNALS} are read`);
  return h;
}

/** Decodes an image's header (sharp) and checks that it could be a printout: large enough, page-shaped. */
async function checkImage(f: UploadedFile, format: 'png' | 'jpeg', limits: Limits): Promise<Omit<ImageUpload, 'path'>> {
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = await sharp(f.data, { limitInputPixels: limits.image.maxPixels }).metadata());
  } catch (err) {
    throw new ServiceError('BAD_IMAGE', `${f.name}: not a readable ${format.toUpperCase()} image (${(err as Error).message})`);
  }
  if (!width || !height) throw new ServiceError('BAD_IMAGE', `${f.name}: the ${format.toUpperCase()} header gives no size`);
  const { minWidth, minHeight, maxAspect, maxPixels } = limits.image;
  if (width * height > maxPixels) throw new ServiceError('BAD_IMAGE', `${f.name}: ${width}×${height} pixels is more than the limit of ${maxPixels}`);
  if (Math.max(width, height) < minWidth || Math.min(width, height) < minHeight) {
    throw new ServiceError('BAD_IMAGE', `${f.name}: ${width}×${height} pixels is too small for a printout; at least ${minWidth}×${minHeight} (either orientation)`);
  }
  const aspect = Math.max(width, height) / Math.min(width, height);
  if (aspect > maxAspect) throw new ServiceError('BAD_IMAGE', `${f.name}: ${width}×${height} is not ECG-page shaped (aspect ${aspect.toFixed(1)}:1, at most ${maxAspect}:1)`);
  return { name: f.name, format, width, height, data: f.data };
}
