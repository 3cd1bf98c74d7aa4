// FLAC-compressed WFDB signal files (formats 508, 516, 524; signal(5)): each file is a FLAC stream
// whose channels are the file's signals, in header order, at most 8; FLAC sample i of channel j is
// sample i of signal j, counted in samples (frame × samples per frame), after `byteOffset` samples
// (for these formats the `+N` of the format field counts samples, as in wfdb-python). Decoding is
// done by libFLAC itself, compiled to JavaScript (the npm package libflacjs); it loads
// asynchronously once per process, so rdrecordSync needs `await loadFlacDecoder()` first.
import { createRequire } from 'node:module';
import { SignalFileError, UnsupportedFormatError } from '../errors.js';
import type { FormatSpec } from './formats.js';

/** The part of libflacjs' API used here (libflac.js 5.x, `dist/libflac.js`, the asm.js build). */
interface LibFlac {
  isReady(): boolean;
  on(event: 'ready', cb: () => void): void;
  create_libflac_decoder(verify: boolean): number;
  init_decoder_stream(
    decoder: number,
    read: (n: number) => { buffer: Uint8Array | undefined; readDataLength: number; error: boolean },
    write: (data: Uint8Array[], frame: { blocksize: number; channels: number; bitsPerSample: number }) => boolean | void,
    error: (code: number, description: string) => void,
    metadata?: (m: { channels?: number; bitsPerSample?: number; total_samples?: number }) => void,
    ogg?: boolean,
  ): number;
  FLAC__stream_decoder_process_single(decoder: number): boolean;
  FLAC__stream_decoder_get_state(decoder: number): number;
  FLAC__stream_decoder_finish(decoder: number): boolean;
  FLAC__stream_decoder_delete(decoder: number): void;
}

const END_OF_STREAM = 4; // FLAC__STREAM_DECODER_END_OF_STREAM; states above it are failures

let lib: LibFlac | undefined;
let loading: Promise<LibFlac> | undefined;

/**
 * Loads the FLAC decoder (once per process; about 20 ms). rdrecord calls it when a record has a
 * FLAC signal; call it yourself before reading FLAC records with rdrecordSync.
 * @example await loadFlacDecoder(); rdrecordSync('flacformats');
 */
export function loadFlacDecoder(): Promise<void> {
  loading ??= new Promise<LibFlac>((resolve, reject) => {
    try {
      const flac = createRequire(import.meta.url)('libflacjs/dist/libflac.js') as LibFlac;
      if (flac.isReady()) resolve(flac);
      else flac.on('ready', () => resolve(flac));
    } catch (err) {
      reject(new UnsupportedFormatError(`FLAC decoder (npm package libflacjs) cannot be loaded: ${(err as Error).message}`));
    }
  }).then((flac) => (lib = flac));
  return loading.then(() => undefined);
}

/** Whether {@link loadFlacDecoder} has finished, so that FLAC records can be read synchronously. */
export const flacDecoderLoaded = (): boolean => lib !== undefined;

/** The FLAC formats: bits per sample and WFDB's invalid value (the smallest sample). */
const FLAC_BITS: ReadonlyMap<number, number> = new Map([[508, 8], [516, 16], [524, 24]]);

/** Whether a format code is one of the FLAC formats. */
export const isFlacFormat = (fmt: number): boolean => FLAC_BITS.has(fmt);

/**
 * A FormatSpec row for a FLAC format, so that the record reader can treat its files like others
 * (range, invalid value); its samples come from {@link decodeFlacFrames}, never from `decode`.
 */
export function flacSpec(fmt: number): FormatSpec {
  const bits = FLAC_BITS.get(fmt)!;
  const min = -(2 ** (bits - 1));
  const never = (): never => {
    throw new UnsupportedFormatError(`format ${fmt}: FLAC samples are decoded as a stream, not by blocks, and are not written`);
  };
  return { fmt, bits, blockSamples: 1, blockBytes: 1, partialBytes: [0], min, max: -min - 1, invalid: min, decode: never, encode: never };
}

/** What one FLAC signal file holds for a read. */
export interface FlacFileRead {
  /** Path, for errors. */
  path: string;
  fmt: number;
  /** Signals in the file (FLAC channels), in header order, and which of them to keep. */
  channels: number;
  keep: boolean[];
  /** Samples per frame, the same for every signal of a FLAC file. */
  spf: number;
  /** FLAC samples to skip before frame 0 of the record (the header's `+N`). */
  sampleOffset: number;
  /** First frame wanted and how many frames (the decoder stops once it has them). */
  firstFrame: number;
  frames: number;
}

/**
 * Decodes the frames asked for from a FLAC signal file's bytes into the interleaved stream the
 * other formats produce (frame by frame, `channels × spf` samples per frame, unkept signals left 0),
 * stopping after the last frame needed. Fewer frames than asked means the file is shorter.
 */
export function decodeFlacFrames(bytes: Uint8Array, r: FlacFileRead): Int32Array {
  const flac = lib;
  if (flac === undefined) {
    throw new UnsupportedFormatError(`${r.path}: format ${r.fmt} is FLAC, whose decoder loads asynchronously: call 'await loadFlacDecoder()' once before rdrecordSync (rdrecord does it itself)`, r.path);
  }
  const fail = (msg: string): SignalFileError => new SignalFileError(`${r.path}: ${msg}`, r.path);
  if (bytes.length < 4 || bytes[0] !== 0x66 || bytes[1] !== 0x4c || bytes[2] !== 0x61 || bytes[3] !== 0x43) {
    throw fail(`format ${r.fmt} needs a FLAC stream, but the file does not start with 'fLaC'`);
  }
  const maxBits = FLAC_BITS.get(r.fmt)!;
  const tpf = r.channels * r.spf;
  // [frames × channels × spf]: the layout of a WFDB signal file, so skew and de-interleaving are shared.
  const out = new Int32Array(r.frames * tpf);
  const first = r.sampleOffset + r.firstFrame * r.spf; // first FLAC sample wanted, per channel
  const last = first + r.frames * r.spf; // one past the last
  let at = 0; // FLAC samples decoded so far, per channel
  let pos = 0;
  let problem: string | undefined;
  let declared: number | undefined; // total samples per channel in STREAMINFO (0 when unknown)
  const dec = flac.create_libflac_decoder(false);
  if (!dec) throw fail('the FLAC decoder could not be created');
  try {
    const status = flac.init_decoder_stream(dec,
      (n) => {
        const end = Math.min(bytes.length, pos + n);
        const chunk = bytes.subarray(pos, end);
        pos = end;
        return { buffer: chunk, readDataLength: chunk.length, error: false };
      },
      (data, frame) => {
        if (frame.channels !== r.channels) {
          problem = `FLAC stream has ${frame.channels} channels, the header has ${r.channels} signals in this file`;
          return false;
        }
        if (frame.bitsPerSample > maxBits) {
          problem = `FLAC stream has ${frame.bitsPerSample} bits per sample, more than format ${r.fmt} allows (${maxBits})`;
          return false;
        }
        const n = frame.blocksize;
        data.forEach((d, c) => {
          if (!r.keep[c]) return;
          // libflacjs hands each channel over as little-endian integers of 2 bytes (8 and 16 bits) or 4 (24).
          const width = d.length / n;
          const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
          for (let i = Math.max(0, first - at); i < n && at + i < last; i++) {
            const s = at + i - first; // sample index within the read, per channel
            const f = Math.floor(s / r.spf);
            out[f * tpf + c * r.spf + (s - f * r.spf)] = width === 2 ? dv.getInt16(i * 2, true) : dv.getInt32(i * 4, true);
          }
        });
        at += n;
        return true;
      },
      (_code, description) => { problem ??= `damaged FLAC data (libFLAC: ${description})`; },
      (m) => { if (typeof m.total_samples === 'number') declared = m.total_samples; },
      false);
    if (status !== 0) throw fail(`the FLAC decoder could not start (status ${status})`);
    while (at < last && problem === undefined) {
      if (!flac.FLAC__stream_decoder_process_single(dec)) break;
      const state = flac.FLAC__stream_decoder_get_state(dec);
      if (state >= END_OF_STREAM) break;
    }
    if (problem !== undefined) throw fail(problem);
    const state = flac.FLAC__stream_decoder_get_state(dec);
    if (state > END_OF_STREAM) throw fail(`damaged FLAC data (decoder state ${state})`);
    // A stream that stops short of what its STREAMINFO declares lost frames to damage (libFLAC skips
    // a frame it cannot sync to without always reporting it).
    if (at < last && declared !== undefined && declared > 0 && at < declared) {
      throw fail(`damaged FLAC data: ${at} of the ${declared} samples per channel its STREAMINFO declares could be decoded`);
    }
  } catch (err) {
    if (err instanceof SignalFileError) throw err;
    throw fail(`damaged FLAC data (${(err as Error).message})`);
  } finally {
    flac.FLAC__stream_decoder_finish(dec);
    flac.FLAC__stream_decoder_delete(dec);
  }
  const got = Math.max(0, Math.min(at, last) - first);
  const frames = Math.floor(got / r.spf);
  return frames === r.frames ? out : out.subarray(0, frames * tpf);
}
