import { z } from 'zod';

/**
 * The service's limits, one zod schema: the type, the defaults and the checks of `--limit`-style overrides
 * all come from it. Each default says why.
 */
export const LimitsSchema = z.object({
  /** Bytes of one request body. A 60 s 12-lead record at 500 Hz is 0.7 MB in format 16; a phone photo 3–8 MB. */
  maxUploadBytes: z.number().int().positive().default(20 * 1024 * 1024),
  /** Files in one upload after unzipping: a few records of a header and a signal file each. */
  maxFiles: z.number().int().positive().default(64),
  /** Records in one /predict request (one for /render and /robustness). */
  maxRecords: z.number().int().positive().default(16),
  /** Seconds read of each record: the models read at most 60 s; the rest is not decoded. */
  maxRecordSeconds: z.number().positive().default(120),
  zip: z.object({
    maxEntries: z.number().int().positive().default(64),
    /** Inflated bytes of all entries: a few times the body limit, never the machine's memory. */
    maxBytes: z.number().int().positive().default(64 * 1024 * 1024),
    /** Signal files deflate 2–5 times; 200× is a bomb. */
    maxRatio: z.number().positive().default(200),
  }).prefault({}),
  image: z.object({
    /** A printout photographed or scanned at under 800 px on its long side is unreadable at 1 mm grid squares. */
    minWidth: z.number().int().positive().default(800),
    minHeight: z.number().int().positive().default(400),
    /** A 12×1 A4 portrait page is 1.4:1, a rhythm strip about 4:1. */
    maxAspect: z.number().positive().default(5),
    /** 50 megapixels: more than any phone camera, less than a decompression bomb. */
    maxPixels: z.number().int().positive().default(50_000_000),
  }).prefault({}),
  /** Milliseconds from a request's arrival to its answer: queueing plus inference; past it the answer is 504. */
  requestTimeoutMs: z.number().int().positive().default(30_000),
  /** Jobs waiting for the inference worker; past it new requests get 503 at once instead of waiting. */
  maxQueue: z.number().int().positive().default(64),
  /** Records of queued /predict requests run together in one forward pass, up to this many. */
  maxBatchRecords: z.number().int().positive().default(32),
  robustness: z.object({
    /** White-noise levels per check, each a batch of `repeats` noisy copies. */
    maxLevels: z.number().int().positive().default(8),
    maxRepeats: z.number().int().positive().default(8),
    /** PGD ε values per sweep: one attack each. */
    maxEps: z.number().int().positive().default(8),
    /** PGD steps per run: Ma & Liang evaluate with 100 (steps of ε/10); more costs time, not strength. */
    maxSteps: z.number().int().positive().default(100),
    /** PGD runs from random starts per ε (Ma & Liang: 2). */
    maxRestarts: z.number().int().positive().default(4),
    /**
     * Wall time of one PGD sweep from the request's arrival, ms (at most 3/4 of `requestTimeoutMs` whatever is
     * set here): an ε that could overrun it is not started but listed as skipped, so the answer is never a 504.
     */
    maxPgdMs: z.number().int().positive().default(20_000),
  }).prefault({}),
});

export type Limits = z.infer<typeof LimitsSchema>;
export type LimitsInput = z.input<typeof LimitsSchema>;

/** Every limit at its default. */
export const DEFAULT_LIMITS: Limits = LimitsSchema.parse({});
