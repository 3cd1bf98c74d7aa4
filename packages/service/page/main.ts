// The service's web page: upload a record or photo, see the prediction with the model's card, the ECG as the
// model reads it (or the photo) with its input-gradient saliency, and how the prediction moves under white
// noise or a PGD attack of growing ε.
// Bundled by esbuild (src/page/assets.ts) with uPlot; talks only to the service that serves it.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';

interface ApiError { error: { code: string; message: string } }
interface RecordSummary { fs: number; samples: number; leads: string[]; modelLeads: string[]; resampledFrom?: number; truncatedToSeconds?: number; missingLeads?: string[] }
interface ImageSummary { width: number; height: number; format: string; orientation: number; modelWidth: number; modelHeight: number }
interface Prediction { id: string; prediction: string; probabilities: Record<string, number>; record?: RecordSummary; image?: ImageSummary }
interface SignalExplanation { kind: 'signal'; fs: number; leads: string[]; signals: number[][]; saliency: number[][]; className: string }
interface ImageExplanation { kind: 'image'; width: number; height: number; region: { left: number; top: number; width: number; height: number }; saliency: number[][]; className: string }
interface PredictResponse { model: { name: string; title?: string; card: string }; predictions: Prediction[]; explanation?: SignalExplanation | ImageExplanation }
interface NoiseLevel { snrDb: number; probabilities: Record<string, number>; predictions: string[]; agreement: number; example?: number[][] }
interface PgdLevel { eps: number; epsMv: number[]; probabilities: Record<string, number>; prediction: string; fooled: boolean; linfMv: number; example?: number[][] }
type RobustnessResponse =
  | { check: 'white-noise'; clean: Prediction; levels: NoiseLevel[]; fs: number }
  | { check: 'pgd'; clean: Prediction; levels: PgdLevel[]; fs: number; skipped: number[] };
type Check = RobustnessResponse['check'];
interface ModelInfo { name: string; title?: string; leads: string[]; classes: string[] }

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const state: { files: File[]; result?: PredictResponse; checks: Partial<Record<Check, RobustnessResponse>>; check: Check; plots: uPlot[]; showSaliency: boolean } = {
  files: [], checks: {}, check: 'white-noise', plots: [], showSaliency: true,
};

function setStatus(text: string): void {
  $('status').textContent = text;
}

function showError(message: string | null): void {
  const el = $('error');
  el.hidden = message === null;
  el.textContent = message ?? '';
}

async function api<T>(path: string, body?: FormData): Promise<T> {
  const res = await fetch(path, body ? { method: 'POST', body } : {});
  const type = res.headers.get('content-type') ?? '';
  if (!res.ok) {
    const err = type.includes('json') ? ((await res.json()) as ApiError).error : { code: String(res.status), message: await res.text() };
    throw new Error(`${err.message} (${err.code})`);
  }
  return (type.includes('json') ? res.json() : res.blob()) as Promise<T>;
}

function form(extra: Record<string, string> = {}): FormData {
  const fd = new FormData();
  for (const f of state.files) fd.append('file', f, f.name);
  const model = ($('model') as HTMLSelectElement).value;
  if (model) fd.append('model', model);
  if (state.files.some((f) => /\.(csv|txt)$/i.test(f.name))) fd.append('fs', ($('fs') as HTMLInputElement).value);
  for (const [k, v] of Object.entries(extra)) fd.append(k, v);
  return fd;
}

function bars(probabilities: Record<string, number>, top: string): void {
  const el = $('bars');
  el.replaceChildren(...Object.entries(probabilities).map(([c, p]) => {
    const row = document.createElement('div');
    row.className = `row${top.split('+').includes(c) ? ' top' : ''}`;
    row.dataset.class = c;
    row.innerHTML = '<span class="name"></span><span class="track"><span class="fill"></span></span><span class="val"></span>';
    (row.querySelector('.name') as HTMLElement).textContent = c;
    (row.querySelector('.fill') as HTMLElement).style.width = `${(100 * p).toFixed(1)}%`;
    (row.querySelector('.val') as HTMLElement).textContent = `${(100 * p).toFixed(1)} %`;
    return row;
  }));
  $('prediction').textContent = top;
}

/** One uPlot per lead, cursors and zoom in sync; saliency drawn under the trace as orange columns. */
function plot(fs: number, leads: string[], signals: number[][], saliency: number[][] | null): void {
  for (const p of state.plots) p.destroy();
  state.plots = [];
  const host = $('plots');
  host.replaceChildren();
  const n = signals[0]?.length ?? 0;
  const t = Float64Array.from({ length: n }, (_, i) => i / fs);
  let max = 0;
  for (const r of saliency ?? []) for (const v of r) max = Math.max(max, Math.abs(v));
  const width = Math.max(400, host.clientWidth || 1000);
  const height = leads.length > 3 ? 90 : 160;
  leads.forEach((lead, l) => {
    const div = document.createElement('div');
    div.className = 'lead';
    host.append(div);
    const sal = saliency?.[l];
    const drawSaliency = (u: uPlot) => {
      if (!sal || !state.showSaliency || max === 0) return;
      const ctx = u.ctx;
      const { left, top, width: w, height: h } = u.bbox;
      const [x0, x1] = [u.scales.x?.min ?? 0, u.scales.x?.max ?? n / fs];
      const cols = Math.max(1, Math.floor(w / 2)); // a column every 2 device px
      ctx.save();
      for (let c = 0; c < cols; c++) {
        const a = Math.max(0, Math.floor((x0 + ((x1 - x0) * c) / cols) * fs));
        const b = Math.min(n, Math.ceil((x0 + ((x1 - x0) * (c + 1)) / cols) * fs));
        let m = 0;
        for (let i = a; i < b; i++) m = Math.max(m, Math.abs(sal[i]!));
        if (m === 0) continue;
        ctx.fillStyle = `rgba(255, 120, 0, ${(0.6 * m / max).toFixed(3)})`;
        ctx.fillRect(left + (w * c) / cols, top, w / cols + 1, h);
      }
      ctx.restore();
    };
    const last = l === leads.length - 1;
    const opts: uPlot.Options = {
      width, height: last ? height + 50 : height, // the last one carries the time axis
      title: undefined,
      legend: { show: false },
      cursor: { sync: { key: 'ecg' }, drag: { x: true, y: false } },
      scales: { x: { time: false } },
      axes: [{ show: last, label: last ? 'seconds' : undefined }, { label: lead, size: 50 }],
      series: [{}, { stroke: '#263238', width: 1 }],
      hooks: { drawClear: [drawSaliency] },
    };
    state.plots.push(new uPlot(opts, [t, Float64Array.from(signals[l]!)], div));
  });
}

/** The check's answer for the current record, fetched once per record and check. */
async function check(name: Check): Promise<RobustnessResponse> {
  const r = state.result!;
  state.checks[name] ??= await api<RobustnessResponse>('/robustness', form({ model: r.model.name, examples: 'true', ...(name === 'pgd' ? { check: 'pgd' } : {}) }));
  return state.checks[name]!;
}

/** Shows the slider for the chosen check: one step per level, 0 = the clean record. */
async function showCheck(name: Check): Promise<void> {
  const slider = $('noise') as HTMLInputElement;
  slider.disabled = true;
  state.check = name;
  const r = state.result!;
  setStatus(`${r.model.name}: ${r.predictions[0]!.prediction}. ${name === 'pgd' ? 'Attacking with PGD at each ε' : 'Checking white noise'} ...`);
  try {
    const c = await check(name);
    if (state.check !== name || state.result !== r) return; // the user moved on meanwhile
    slider.max = String(c.levels.length);
    slider.value = '0';
    slider.disabled = false;
    onNoise();
    const skipped = c.check === 'pgd' && c.skipped.length ? ` (ε ${c.skipped.join(', ')} not run: they could have passed the time limit)` : '';
    setStatus(`${r.model.name}: ${r.predictions[0]!.prediction}. Move the slider to add ${name === 'pgd' ? 'an adversarial perturbation of growing ε' : 'noise'}${skipped}.`);
  } catch (err) {
    setStatus('');
    showError((err as Error).message);
  }
}

/** The photo with the image model's saliency over it, where the model's page holds it (its `region`). */
function photoSaliency(e: ImageExplanation | undefined): void {
  const canvas = $('photo-saliency') as HTMLCanvasElement;
  canvas.hidden = !e || !state.showSaliency;
  if (!e) return;
  const { left, top, width, height } = e.region;
  canvas.width = width;
  canvas.height = height;
  let max = 0;
  for (let y = top; y < top + height; y++) for (let x = left; x < left + width; x++) max = Math.max(max, Math.abs(e.saliency[y]![x]!));
  const img = new ImageData(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // sqrt: input gradients are spiky, a linear scale would show a handful of pixels.
      const a = max > 0 ? Math.sqrt(Math.abs(e.saliency[top + y]![left + x]!) / max) : 0;
      const i = 4 * (y * width + x);
      img.data[i] = 255;
      img.data[i + 1] = 120;
      img.data[i + 2] = 0;
      img.data[i + 3] = Math.round(200 * a);
    }
  }
  canvas.getContext('2d')!.putImageData(img, 0, 0);
}

async function analyse(): Promise<void> {
  showError(null);
  $('result').hidden = true;
  $('photo').hidden = true;
  ($('page') as HTMLImageElement).hidden = true;
  ($('noise') as HTMLInputElement).disabled = true;
  state.checks = {};
  state.result = undefined;
  const photo = state.files.find((f) => /\.(png|jpe?g)$/i.test(f.name));
  photoSaliency(undefined);
  if (photo) {
    ($('photo-img') as HTMLImageElement).src = URL.createObjectURL(photo);
    $('photo').hidden = false;
  }
  setStatus(`predicting ${state.files.map((f) => f.name).join(', ')} ...`);
  try {
    const r = await api<PredictResponse>('/predict', form({ explain: 'true' }));
    state.result = r;
    const p = r.predictions[0]!;
    bars(p.probabilities, p.prediction);
    $('model-name').textContent = `${r.model.name}${r.model.title ? ` (${r.model.title})` : ''}`;
    api<Blob>(r.model.card).then(async (b) => { $('card-text').textContent = (await b.text()).replace(/^---\n[\s\S]*?\n---\n/, ''); }, () => { $('card-text').textContent = 'no model card'; });
    $('result').hidden = false;
    // A photo has no signal to plot or perturb: its saliency goes over the photo.
    $('ecg').hidden = !p.record;
    $('robustness').hidden = !p.record;
    if (p.image) {
      const im = p.image;
      $('summary').textContent = `${p.id}: ${im.width}×${im.height} ${im.format.toUpperCase()}${im.orientation !== 1 ? ` (EXIF orientation ${im.orientation})` : ''}, read by the image model as a ${im.modelWidth}×${im.modelHeight} page.`;
      photoSaliency(r.explanation?.kind === 'image' ? r.explanation : undefined);
      setStatus(`${r.model.name}: ${p.prediction}.`);
      return;
    }
    const rec = p.record!;
    const notes = [`${rec.leads.length} lead(s) at ${rec.fs} Hz, ${(rec.samples / rec.fs).toFixed(1)} s`, `the model reads ${rec.modelLeads.join(', ')}`];
    if (rec.resampledFrom !== undefined) notes.push(`resampled from ${rec.resampledFrom} Hz${r.explanation?.kind === 'signal' ? ` to ${r.explanation.fs} Hz` : ''}`);
    if (rec.truncatedToSeconds !== undefined) notes.push(`first ${rec.truncatedToSeconds} s`);
    $('summary').textContent = `${p.id}: ${notes.join('; ')}.`;
    if (r.explanation?.kind === 'signal') plot(r.explanation.fs, r.explanation.leads, r.explanation.signals, r.explanation.saliency);
    await showCheck(state.check);
  } catch (err) {
    setStatus('');
    showError((err as Error).message);
  }
}

/** The slider: level k of the chosen check (0: the clean record), its probabilities and its signal. */
function onNoise(): void {
  const r = state.result;
  const c = state.checks[state.check];
  const e = r?.explanation;
  if (!r || !c || e?.kind !== 'signal') return;
  const k = Number(($('noise') as HTMLInputElement).value);
  if (k === 0) {
    const p = r.predictions[0]!;
    bars(p.probabilities, p.prediction);
    $('noise-label').textContent = 'clean record';
    plot(e.fs, e.leads, e.signals, e.saliency);
    return;
  }
  if (c.check === 'pgd') {
    const level = c.levels[k - 1]!;
    bars(level.probabilities, level.prediction);
    const mv = `${Math.min(...level.epsMv).toFixed(3)}–${Math.max(...level.epsMv).toFixed(3)} mV by lead`;
    $('noise-label').textContent = `PGD ε ${level.eps} (model units; ${mv}): prediction ${level.fooled ? `changed to ${level.prediction}` : `kept (${level.prediction})`}, largest change ${level.linfMv.toFixed(3)} mV`;
    if (level.example) plot(c.fs, e.leads, level.example, null);
    return;
  }
  const level = c.levels[k - 1]!;
  const counts = new Map<string, number>();
  for (const x of level.predictions) counts.set(x, (counts.get(x) ?? 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  bars(level.probabilities, top);
  $('noise-label').textContent = `SNR ${level.snrDb} dB: prediction kept in ${Math.round(level.agreement * level.predictions.length)} of ${level.predictions.length} noisy copies (${level.predictions.join(', ')})`;
  if (level.example) plot(c.fs, e.leads, level.example, null);
}

async function loadModels(): Promise<void> {
  const { models } = await api<{ models: ModelInfo[] }>('/models');
  const sel = $('model') as HTMLSelectElement;
  for (const m of models) {
    const o = document.createElement('option');
    o.value = m.name;
    o.textContent = `${m.name}${m.title ? `: ${m.title}` : ''}`;
    sel.append(o);
  }
}

function take(files: FileList | null): void {
  if (!files || files.length === 0) return;
  state.files = [...files];
  void analyse();
}

const drop = $('drop');
drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (ev) => { ev.preventDefault(); drop.classList.remove('over'); take(ev.dataTransfer?.files ?? null); });
($('files') as HTMLInputElement).addEventListener('change', (ev) => take((ev.target as HTMLInputElement).files));
$('noise').addEventListener('input', onNoise);
for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=perturb]')) {
  radio.addEventListener('change', () => { if (radio.checked && state.result) void showCheck(radio.value as Check); else if (radio.checked) state.check = radio.value as Check; });
}
$('show-saliency').addEventListener('change', (ev) => {
  state.showSaliency = (ev.target as HTMLInputElement).checked;
  for (const p of state.plots) p.redraw(false);
});
$('show-photo-saliency').addEventListener('change', (ev) => {
  state.showSaliency = (ev.target as HTMLInputElement).checked;
  ($('photo-saliency') as HTMLCanvasElement).hidden = !state.showSaliency;
});
$('paper').addEventListener('click', async () => {
  setStatus('drawing the paper page ...');
  try {
    const blob = await api<Blob>('/render', form());
    const img = $('page') as HTMLImageElement;
    img.src = URL.createObjectURL(blob);
    img.hidden = false;
    setStatus('');
  } catch (err) {
    showError((err as Error).message);
  }
});
$('model').addEventListener('change', () => { if (state.files.length) void analyse(); });
loadModels().catch((err: Error) => showError(`cannot list models: ${err.message}`));
