// Small models for the service's tests, the browser test and the bench, made from the shipped fixtures:
// `cinc2017-rhythm`, a narrow Ma & Liang CNN trained for two epochs on 120 CinC 2017 fixture records (one
// lead, 300 Hz, 4 classes), and `ptbxl-superclass`, the same architecture for the 12 named leads at 100 Hz
// and PTB-XL's 5 superclasses (multi-label) with seeded random weights: it tests the mechanism (lead
// matching, multi-label answers), not accuracy; and `ptbxl-image`, a tiny VizECGNet (the image model) trained
// for two epochs on pages drawn from the 16 PTB-XL fixture records at 20 DPI (220×170), paired with their
// signals, as the models package's own end-to-end test trains one: it tests photos through the image path
// (reading, resizing, saliency), not accuracy. Built once into a folder of the OS's temporary directory and
// reused by later test files and runs.
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manualSeed } from '@ecglab/engine';
import { buildModel, parseRunConfig, saveModel, SPEC_FORMAT, SPEC_VERSION, train, MA_LIANG_DEFAULTS, type InferenceSpec } from '@ecglab/models';

export const FIXTURES = fileURLToPath(new URL('../../../../fixtures/data/', import.meta.url));
const TINY = { ...MA_LIANG_DEFAULTS, width: 8, depth: [1, 1, 1, 1], groups: 4 };
/** Bump when what the models are changes, so a stale cache is not reused. */
const VERSION = `v2-spec${SPEC_VERSION}`;
const NAMES = ['cinc2017-rhythm', 'ptbxl-superclass', 'ptbxl-image'];

const card = (title: string, task: string, body: string) => `---
title: ${title}
task: ${task}
command: made by packages/service/src/testing/models.ts
---
# ${title}

${body}

Test model: research use only, not a medical device.
`;

/**
 * The folder of test models (built on first use, about 10–30 s on 2 busy cores; then reused).
 *
 * @example const svc = await Service.create({ modelsDir: await testModelsDir() });
 */
export async function testModelsDir(): Promise<string> {
  const dir = join(tmpdir(), `ecglab-service-test-models-${VERSION}`);
  if (NAMES.every((n) => existsSync(join(dir, n, 'model.safetensors')))) return dir;
  const work = mkdtempSync(join(tmpdir(), 'ecglab-service-models-build-'));
  try {
    const cfg = parseRunConfig({
      name: 'service-test-cinc2017', seed: 1, threads: 2,
      data: { kind: 'cinc2017', path: join(FIXTURES, 'cinc2017/training2017'), limit: 120 },
      input: { kind: 'max-abs', leads: [0], maxSeconds: 30, maxShiftSeconds: 5 },
      model: TINY,
      train: { epochs: 2, batchSize: 16, valFraction: 0.25, checkpointMinutes: 60 },
    }, 'testing/models.ts');
    await train(cfg, { out: join(work, 'run'), quiet: true, bootstrapIterations: 20 });
    mkdirSync(join(work, 'models', 'cinc2017-rhythm'), { recursive: true });
    cpSync(join(work, 'run', 'model.safetensors'), join(work, 'models', 'cinc2017-rhythm', 'model.safetensors'));
    writeFileSync(join(work, 'models', 'cinc2017-rhythm', 'MODEL.md'), card('CinC 2017 rhythm (test model)', 'rhythm', 'Ma & Liang CNN, width 8, two epochs on 120 CinC 2017 fixture records.'));
    const spec: InferenceSpec = {
      format: SPEC_FORMAT, version: SPEC_VERSION, task: 'multi-label', classes: ['CD', 'HYP', 'MI', 'NORM', 'STTC'],
      conform: { leads: ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'], fs: 100 },
      input: { norm: 'max-abs', maxSeconds: 10 }, model: TINY, threshold: 0.5, batchSize: 16,
    };
    manualSeed(7);
    const model = buildModel(spec.model, 12, spec.classes.length, spec.conform.fs, spec.input.norm);
    mkdirSync(join(work, 'models', 'ptbxl-superclass'), { recursive: true });
    saveModel(join(work, 'models', 'ptbxl-superclass', 'model.safetensors'), model, spec);
    model.dispose();
    writeFileSync(join(work, 'models', 'ptbxl-superclass', 'MODEL.md'), card('PTB-XL superclasses (test model, random weights)', 'superclass', '12 leads at 100 Hz, seeded random weights: tests lead matching and multi-label answers.'));
    await trainImageModel(work);
    try {
      renameSync(join(work, 'models'), dir);
    } catch {
      // Another test process built it first: use theirs.
    }
    return dir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `ptbxl-image`: VizECGNet (image and signal streams, the image path alone at inference) on fixture pages. */
async function trainImageModel(work: string): Promise<void> {
  const cfg = parseRunConfig({
    name: 'service-test-ptbxl-image', seed: 3, threads: 2,
    data: { kind: 'ptbxl', path: join(FIXTURES, 'ptbxl'), fs: 100, labels: 'superclass' },
    input: { kind: 'max-abs', leads: Array.from({ length: 12 }, (_, i) => i), maxSeconds: 10, maxShiftSeconds: 0 },
    model: {
      kind: 'vizecgnet',
      image: { patch: 4, stemWidth: 8, widths: [8, 16], blocks: [1, 1] },
      signal: { width: 8, depth: [1, 1], groups: 4 },
      attention: { heads: 2 },
    },
    // 20 DPI: a letter page is 220×170, small enough for tests; a photo is fitted to it (contain) when read.
    pages: { dpi: 20, width: 220, height: 170, layouts: ['3x4+II'], workers: 1 },
    train: { epochs: 2, batchSize: 6, valFraction: 0.25, checkpointMinutes: 60 },
  }, 'testing/models.ts');
  await train(cfg, { out: join(work, 'image-run'), quiet: true, bootstrapIterations: 20 });
  mkdirSync(join(work, 'models', 'ptbxl-image'), { recursive: true });
  cpSync(join(work, 'image-run', 'model.safetensors'), join(work, 'models', 'ptbxl-image', 'model.safetensors'));
  writeFileSync(join(work, 'models', 'ptbxl-image', 'MODEL.md'), card('PTB-XL superclasses from page images (test model)', 'superclass', 'VizECGNet, two epochs on pages of the 16 PTB-XL fixture records at 20 DPI (220×170): tests photos through the image path.'));
}

/** A fixture record's files as upload parts. */
export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}
