import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomicSync } from '@ecglab/data';
import { createCanvas, type Canvas } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type Plugin } from 'chart.js';
import { ensureFont, FONT_FAMILY } from '@ecglab/render';
import { ArgumentError } from '../errors.js';

// Chart.js draws on @napi-rs/canvas through its BasicPlatform (no DOM): no browser, nothing downloaded.
Chart.register(...registerables);

/** One line: a label for the legend and its points in data units. */
export interface Series {
  label: string;
  points: { x: number; y: number }[];
  /** Dashed line (validation curves beside training ones, say). */
  dashed?: boolean;
  /** Index into SERIES_COLOURS (default: the series' position), so related lines can share a colour. */
  colour?: number;
}

/** A line chart: title, axis titles with units, one line per series. */
export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Pixels (default 900 × 560). */
  width?: number;
  height?: number;
  /** Fixed y range, e.g. [0, 1] for accuracies; left out, it fits the data. */
  yRange?: [number, number];
  /** Draw x from high to low (NSTDB SNR: 24 dB on the left, −6 dB on the right, so noise grows rightwards). */
  reverseX?: boolean;
  /** Mark each point (default true); false for signals, whose thousands of samples would be a smear of dots. */
  points?: boolean;
  /** Logarithmic x axis (ε from 0.001 to 0.1: a linear one crowds the small values at the left edge). */
  logX?: boolean;
}

/** A rendered chart: the PNG, and where each series' points landed in pixels (for tests and overlays). */
export interface RenderedChart {
  png: Buffer;
  pixels: { x: number; y: number }[][];
}

/** Colour-blind-safe (Okabe & Ito), so lines stay distinct for every reader. */
export const SERIES_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

const whiteBackground: Plugin = {
  id: 'whiteBackground',
  beforeDraw: (chart) => {
    const g = chart.ctx;
    g.save();
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, chart.width, chart.height);
    g.restore();
  },
};

/** The label of a log-axis tick: the value when its mantissa is 1, 2 or 5, else none. */
function logTickLabel(v: number): string {
  const mantissa = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
  return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6) ? String(Number(v.toPrecision(6))) : '';
}

function drawChart(spec: LineChartSpec): { canvas: Canvas; pixels: { x: number; y: number }[][] } {
  if (spec.series.length === 0) throw new ArgumentError(`lineChart '${spec.title}': 'series' must have at least one series, got none`);
  for (const s of spec.series) {
    for (const p of s.points) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) throw new ArgumentError(`lineChart '${spec.title}': series '${s.label}' has a non-finite point (${p.x}, ${p.y})`);
    }
  }
  ensureFont();
  const width = spec.width ?? 900;
  const height = spec.height ?? 560;
  const canvas = createCanvas(width, height);
  const font = { family: FONT_FAMILY, size: 14 };
  const config: ChartConfiguration<'line', { x: number; y: number }[]> = {
    type: 'line',
    data: {
      datasets: spec.series.map((s, i) => ({
        label: s.label,
        data: s.points,
        borderColor: SERIES_COLOURS[(s.colour ?? i) % SERIES_COLOURS.length],
        backgroundColor: SERIES_COLOURS[(s.colour ?? i) % SERIES_COLOURS.length],
        borderWidth: spec.points === false ? 1.2 : 2.5,
        borderDash: s.dashed ? [8, 5] : [],
        pointRadius: spec.points === false || (s.dashed && spec.logX) ? 0 : 3.5,
        tension: 0,
      })),
    },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      font,
      scales: {
        x: {
          type: spec.logX ? 'logarithmic' : 'linear',
          reverse: spec.reverseX ?? false,
          title: { display: true, text: spec.xLabel, font },
          // A log axis labels only 1, 2 and 5 × 10^k, so the labels do not run into each other.
          ticks: { font, ...(spec.logX ? { maxRotation: 0, callback: (v: number | string) => logTickLabel(Number(v)) } : {}) },
        },
        y: {
          type: 'linear',
          ...(spec.yRange ? { min: spec.yRange[0], max: spec.yRange[1] } : {}),
          title: { display: true, text: spec.yLabel, font },
          ticks: { font },
        },
      },
      plugins: {
        title: { display: true, text: spec.title, font: { ...font, size: 18, weight: 'bold' } },
        legend: { display: true, position: 'bottom', labels: { font, usePointStyle: true } },
      },
    },
    plugins: [whiteBackground],
  };
  // Chart.js types its context as the DOM's; @napi-rs/canvas's implements the same drawing API.
  const chart = new Chart(canvas.getContext('2d') as unknown as ConstructorParameters<typeof Chart>[0], config);
  const xs = chart.scales.x!;
  const ys = chart.scales.y!;
  const pixels = spec.series.map((s) => s.points.map((p) => ({ x: xs.getPixelForValue(p.x), y: ys.getPixelForValue(p.y) })));
  // destroy() clears its canvas (and must run, or Chart.js keeps the instance): keep a copy of the drawing first.
  const drawing = createCanvas(width, height);
  drawing.getContext('2d').drawImage(canvas, 0, 0);
  chart.destroy();
  return { canvas: drawing, pixels };
}

/**
 * Draws a line chart to PNG with Chart.js on a Skia canvas: title, axis titles, legend, one line per series.
 *
 * @example
 * const { png } = lineChart({ title: 'PGD-100', xLabel: 'ε (model units)', yLabel: 'accuracy', series: [{ label: 'CE', points: [{ x: 0, y: 0.9 }, { x: 0.01, y: 0.4 }] }] });
 */
export function lineChart(spec: LineChartSpec): RenderedChart {
  const { canvas, pixels } = drawChart(spec);
  return { png: canvas.toBuffer('image/png'), pixels };
}

/** A model's accuracy (or another score) at each noise level, for the robustness plots. */
export interface RobustnessCurve {
  /** The legend entry: the model or defence, e.g. 'advls ε=0.01'. */
  label: string;
  levels: number[];
  scores: number[];
}

function curves(title: string, curvesIn: RobustnessCurve[]): Series[] {
  return curvesIn.map((c) => {
    if (c.levels.length !== c.scores.length) throw new ArgumentError(`${title}: curve '${c.label}' has ${c.levels.length} levels and ${c.scores.length} scores`);
    return { label: c.label, points: c.levels.map((x, i) => ({ x, y: c.scores[i]! })) };
  });
}

/**
 * Score against the attack's ε (in the model's units after max-abs scaling, as Ma & Liang), one line per model.
 *
 * @example accuracyVsEpsPlot([{ label: 'CE', levels: [0, 0.01], scores: [0.9, 0.3] }], { attack: 'PGD-100 L∞', metric: 'balanced accuracy' });
 */
export function accuracyVsEpsPlot(models: RobustnessCurve[], opts: { attack: string; metric: string; logEps?: boolean }): RenderedChart {
  const xLabel = 'ε (model units: fraction of each lead\'s peak)';
  if (!opts.logEps) return lineChart({ title: `${opts.metric} under ${opts.attack}`, xLabel, yLabel: opts.metric, series: curves('accuracyVsEpsPlot', models), yRange: [0, 1] });
  // On a log axis ε = 0 has no place: each model's clean score becomes a dashed level line in its colour.
  const series = curves('accuracyVsEpsPlot', models).flatMap((c, i): Series[] => {
    const clean = c.points.find((p) => p.x === 0);
    const attacked = c.points.filter((p) => p.x > 0);
    if (attacked.length === 0) throw new ArgumentError(`accuracyVsEpsPlot: curve '${c.label}' needs a level > 0 on a log axis`);
    const span = [attacked[0]!.x, attacked[attacked.length - 1]!.x];
    return [
      { ...c, points: attacked, colour: i },
      ...(clean ? [{ label: `${c.label} clean`, points: span.map((x) => ({ x, y: clean.y })), dashed: true, colour: i }] : []),
    ];
  });
  return lineChart({ title: `${opts.metric} under ${opts.attack}`, xLabel: `${xLabel}, log scale`, yLabel: opts.metric, series, yRange: [0, 1], logX: true });
}

/** Score against the uniform white-noise level (model units), one line per model. */
export function accuracyVsWhiteNoisePlot(models: RobustnessCurve[], opts: { metric: string }): RenderedChart {
  return lineChart({ title: `${opts.metric} under uniform white noise`, xLabel: 'noise level (model units: x + level·U(−1, 1))', yLabel: opts.metric, series: curves('accuracyVsWhiteNoisePlot', models), yRange: [0, 1] });
}

/** Score against the NSTDB SNR in dB (falling to the right: more noise), one line per model. */
export function accuracyVsNstdbPlot(models: RobustnessCurve[], opts: { metric: string; noise: string }): RenderedChart {
  return lineChart({ title: `${opts.metric} under NSTDB ${opts.noise}`, xLabel: 'SNR (dB, NSTDB convention)', yLabel: opts.metric, series: curves('accuracyVsNstdbPlot', models), yRange: [0, 1], reverseX: true });
}

/** One line of a run's log.jsonl (the fields the training curves need). */
export interface EpochLog {
  epoch: number;
  trainLoss: number;
  valLoss?: number;
  lr: number;
  val?: Record<string, number>;
}

/** Reads a run's `log.jsonl` (one JSON object per epoch), naming the file and line of a malformed entry. */
export function readRunLog(path: string): EpochLog[] {
  if (!existsSync(path)) throw new ArgumentError(`${path}: not found (a run directory holds log.jsonl once its first epoch ends)`);
  return readFileSync(path, 'utf8').split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    let e: EpochLog;
    try {
      e = JSON.parse(line) as EpochLog;
    } catch {
      throw new ArgumentError(`${path} line ${i + 1}: not JSON`);
    }
    if (typeof e.epoch !== 'number' || typeof e.trainLoss !== 'number' || typeof e.lr !== 'number') {
      throw new ArgumentError(`${path} line ${i + 1}: needs numeric 'epoch', 'trainLoss' and 'lr', got ${line.slice(0, 80)}`);
    }
    return [e];
  });
}

/**
 * Training curves of one or more runs as one PNG of three panels side by side: training (solid) and validation
 * (dashed) loss, the monitored validation metric, and the learning rate, each by epoch; one colour per run.
 * `metric` names the key of `val` (left out: the first key of the first run's first epoch).
 *
 * @example writeFileSync('curves.png', trainingCurvesPlot([{ label: 'cinc2017', log: readRunLog('runs/x/log.jsonl') }]).png);
 */
export function trainingCurvesPlot(runs: { label: string; log: EpochLog[] }[], metric?: string): { png: Buffer; metric: string } {
  if (runs.length === 0 || runs.some((r) => r.log.length === 0)) throw new ArgumentError(`trainingCurvesPlot: every run needs at least one epoch in its log`);
  const m = metric ?? Object.keys(runs[0]!.log[0]!.val ?? {})[0];
  if (m === undefined) throw new ArgumentError(`trainingCurvesPlot: the logs have no validation metrics ('val'); name one with 'metric'`);
  const size = { width: 620, height: 480 };
  const many = runs.length > 1;
  // A run's training and validation losses share its colour; validation is dashed.
  const lossSeries: Series[] = runs.flatMap((r, i) => [
    { label: many ? `${r.label} train` : 'train', points: r.log.map((e) => ({ x: e.epoch, y: e.trainLoss })), colour: i },
    { label: many ? `${r.label} validation` : 'validation', points: r.log.filter((e) => Number.isFinite(e.valLoss)).map((e) => ({ x: e.epoch, y: e.valLoss! })), dashed: true, colour: i },
  ]);
  const panels = [
    drawChart({ ...size, title: 'loss', xLabel: 'epoch', yLabel: 'loss', series: lossSeries }),
    drawChart({ ...size, title: `validation ${m}`, xLabel: 'epoch', yLabel: m, series: runs.map((r) => ({ label: r.label, points: r.log.filter((e) => Number.isFinite(e.val?.[m])).map((e) => ({ x: e.epoch, y: e.val![m]! })) })) }),
    drawChart({ ...size, title: 'learning rate', xLabel: 'epoch', yLabel: 'learning rate', series: runs.map((r) => ({ label: r.label, points: r.log.map((e) => ({ x: e.epoch, y: e.lr })) })) }),
  ];
  const sheet = createCanvas(size.width * panels.length, size.height);
  const g = sheet.getContext('2d');
  panels.forEach((p, i) => g.drawImage(p.canvas, i * size.width, 0));
  return { png: sheet.toBuffer('image/png'), metric: m };
}

/**
 * Writes `<runDir>/curves.png` (atomically) from the run's `log.jsonl`: what the trainer calls after every
 * training, and `ecglab plot` for one run. Returns the PNG's path.
 *
 * @example writeTrainingCurves('runs/cinc2017'); // runs/cinc2017/curves.png
 */
export function writeTrainingCurves(runDir: string, metric?: string): string {
  const out = join(runDir, 'curves.png');
  const { png } = trainingCurvesPlot([{ label: basename(runDir), log: readRunLog(join(runDir, 'log.jsonl')) }], metric);
  writeFileAtomicSync(out, png);
  return out;
}

/** A record's signal before and after an attack, for {@link adversarialSignalPlot}. */
export interface AdversarialSignal {
  id: string;
  fs: number;
  leadNames: string[];
  /** Per lead, mV, the same length. */
  clean: ArrayLike<number>[];
  adversarial: ArrayLike<number>[];
  /** Legend text of each signal's prediction, e.g. `N (p 0.93)`. */
  cleanPrediction: string;
  adversarialPrediction: string;
  /** What attacked it, e.g. `PGD-100 L∞, ε 0.01`. */
  attack: string;
}

/**
 * A record under attack as one PNG: per lead a panel with the clean and the adversarial signal (mV against
 * seconds, the prediction of each in the legend), and a last panel with the perturbation of every lead in µV
 * (too small to see beside the signal at the ε that fool a model).
 *
 * @example writeFileSync('A00001-adv.png', adversarialSignalPlot({ id: 'A00001', fs: 300, leadNames: ['I'], clean, adversarial, cleanPrediction: 'N (p 0.93)', adversarialPrediction: 'A (p 0.71)', attack: 'PGD-100 L∞, ε 0.01' }));
 */
export function adversarialSignalPlot(r: AdversarialSignal): Buffer {
  const leads = r.clean.length;
  if (leads === 0 || r.adversarial.length !== leads || r.leadNames.length !== leads) {
    throw new ArgumentError(`adversarialSignalPlot '${r.id}': 'clean', 'adversarial' and 'leadNames' must have the same number (>= 1) of leads, got ${r.clean.length}, ${r.adversarial.length} and ${r.leadNames.length}`);
  }
  const n = r.clean[0]!.length;
  const line = (values: ArrayLike<number>, scale = 1) => Array.from({ length: n }, (_, i) => ({ x: i / r.fs, y: values[i]! * scale }));
  const size = { width: 1400, height: 300, points: false };
  const panels = r.clean.map((clean, c) => {
    if (clean.length !== n || r.adversarial[c]!.length !== n) throw new ArgumentError(`adversarialSignalPlot '${r.id}': every lead must have ${n} samples, lead ${r.leadNames[c]} has ${clean.length} clean and ${r.adversarial[c]!.length} adversarial`);
    return drawChart({
      ...size,
      title: c === 0 ? `${r.id}: clean ${r.cleanPrediction} → adversarial ${r.adversarialPrediction} (${r.attack})` : `lead ${r.leadNames[c]}`,
      xLabel: 'time (s)',
      yLabel: `${r.leadNames[c]} (mV)`,
      series: [
        { label: `clean: ${r.cleanPrediction}`, points: line(clean) },
        { label: `adversarial: ${r.adversarialPrediction}`, points: line(r.adversarial[c]!), dashed: true },
      ],
    });
  });
  const delta = r.clean.map((clean, c) => {
    const adv = r.adversarial[c]!;
    return { label: `lead ${r.leadNames[c]}`, points: Array.from({ length: n }, (_, i) => ({ x: i / r.fs, y: (adv[i]! - clean[i]!) * 1000 })), colour: c + 2 };
  });
  panels.push(drawChart({ ...size, title: 'perturbation (adversarial − clean)', xLabel: 'time (s)', yLabel: 'δ (µV)', series: delta }));
  const sheet = createCanvas(size.width, size.height * panels.length);
  const g = sheet.getContext('2d');
  panels.forEach((p, i) => g.drawImage(p.canvas, 0, i * size.height));
  return sheet.toBuffer('image/png');
}
