import { ServiceError } from '../errors.js';

/** One uploaded file: its base name and bytes. */
export interface UploadedFile {
  name: string;
  data: Uint8Array;
}

/** What a file is, from its first bytes and then its extension. */
export type FileKind = 'zip' | 'png' | 'jpeg' | 'header' | 'mat' | 'csv' | 'signal';

/** Signal-file extensions of WFDB records (read only beside their `.hea`). */
const SIGNAL_EXT = /\.(dat|bin|sig|raw|\d{3})$/i;

/** The accepted forms, for error messages. */
export const ACCEPTED = 'a WFDB record (.hea with its signal files), a .mat (CPSC 2018 form, or CinC form with its .hea), a .zip of those, a .csv of leads (with the field fs), or a PNG/JPEG photo of a printout';

/**
 * A file's kind: magic bytes first (zip, PNG, JPEG, MAT v5 and v4 are recognised whatever their name), then
 * the extension. Anything else is a 415 naming the file and the accepted forms.
 */
export function fileKind(f: UploadedFile): FileKind {
  const b = f.data;
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5) && (b[3] === 4 || b[3] === 6)) return 'zip';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  const ext = f.name.toLowerCase();
  if (ext.endsWith('.hea')) return 'header';
  if (ext.endsWith('.mat')) return 'mat';
  if (ext.endsWith('.csv') || ext.endsWith('.txt')) return 'csv';
  if (SIGNAL_EXT.test(ext)) return 'signal';
  if (/\.(zip|png|jpe?g)$/.test(ext)) throw new ServiceError('UNSUPPORTED_TYPE', `${f.name}: its bytes are not a ${ext.slice(ext.lastIndexOf('.') + 1).toUpperCase()} file`);
  throw new ServiceError('UNSUPPORTED_TYPE', `${f.name}: unsupported file type; send ${ACCEPTED}`);
}

/**
 * Checks an uploaded file's name: a plain base name (the client's folders are dropped by the browser, and
 * anything with a path separator, `..`, control characters or a leading dot is refused), at most 128 chars.
 */
export function checkFileName(name: string): string {
  if (name.length === 0) throw new ServiceError('BAD_REQUEST', 'an uploaded file has no file name; give each part a filename');
  if (name.length > 128) throw new ServiceError('BAD_REQUEST', `file name '${name.slice(0, 40)}...' is longer than 128 characters`);
  if (/[/\\\u0000-\u001f]/.test(name) || name.startsWith('.')) {
    throw new ServiceError('BAD_REQUEST', `file name '${name.replace(/[\u0000-\u001f]/g, '?')}' must be a plain name: no '/', '\\', control characters or leading '.'`);
  }
  return name;
}
