// The service's web page: upload a record or photo, see the prediction with the model's card, the ECG as the
// model reads it with its input-gradient saliency, and how the prediction moves under white noise.
// Bundled by esbuild (src/page/assets.ts) with uPlot; talks only to the service that serves it.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';

interface ApiError { error: { code: string; message: string } }
interface Prediction { id: string; prediction: string; probabilities: Record<string, number>; record: { fs: number; samples: number; leads: string[]; modelLeads: string[]; resampledFrom?: number; truncatedToSeconds?: number; missingLeads?: string[] } }
interface Explanation { fs: number; leads: string[]; signals: number[][]; saliency: number[][]; className: string }
interface PredictResponse { model: { name: string; title?: string; card: string }; predictions: Prediction[]; explanation?: Explanation }
interface NoiseLevel { snrDb: number; probabilities: Record<string, number>; predictions: string[]; agreement: number; example?: number[][] }
interface RobustnessResponse { clean: Prediction; levels: NoiseLevel[]; fs: number }
interface ModelInfo { name: string; title?: string; leads: string[]; classes: string[] }

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const state: { files: File[]; result?: PredictResponse; noise?: RobustnessResponse; plots: uPlot[]; showSaliency: boolean } = { files: [], plots: [], showSaliency: true };

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

async function analyse(): Promise<void> {
  showError(null);
  $('result').hidden = true;
  $('photo').hidden = true;
  ($('page') as HTMLImageElement).hidden = true;
  const slider = $('noise') as HTMLInputElement;
  slider.disabled = true;
  state.noise = undefined;
  const photo = state.files.find((f) => /\.(png|jpe?g)$/i.test(f.name));
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
    const rec = p.record;
    const notes = [`${rec.leads.length} lead(s) at ${rec.fs} Hz, ${(rec.samples / rec.fs).toFixed(1)} s`, `the model reads ${rec.modelLeads.join(', ')}`];
    if (rec.resampledFrom !== undefined) notes.push(`resampled from ${rec.resampledFrom} Hz${r.explanation ? ` to ${r.explanation.fs} Hz` : ''}`);
    if (rec.truncatedToSeconds !== undefined) notes.push(`first ${rec.truncatedToSeconds} s`);
    $('summary').textContent = `${p.id}: ${notes.join('; ')}.`;
    $('model-name').textContent = `${r.model.name}${r.model.title ? ` (${r.model.title})` : ''}`;
    api<Blob>(r.model.card).then(async (b) => { $('card-text').textContent = (await b.text()).replace(/^---\n[\s\S]*?\n---\n/, ''); }, () => { $('card-text').textContent = 'no model card'; });
    $('result').hidden = false;
    if (r.explanation) plot(r.explanation.fs, r.explanation.leads, r.explanation.signals, r.explanation.saliency);
    setStatus(`${r.model.name}: ${p.prediction}. Checking white noise ...`);
    const noise = await api<RobustnessResponse>('/robustness', form({ model: r.model.name, examples: 'true' }));
    state.noise = noise;
    slider.max = String(noise.levels.length);
    slider.value = '0';
    slider.disabled = false;
    setStatus(`${r.model.name}: ${p.prediction}. Move the slider to add noise.`);
  } catch (err) {
    setStatus('');
    showError((err as Error).message);
  }
}

function onNoise(): void {
  const r = state.result;
  const noise = state.noise;
  if (!r || !noise || !r.explanation) return;
  const k = Number(($('noise') as HTMLInputElement).value);
  const e = r.explanation;
  if (k === 0) {
    const p = r.predictions[0]!;
    bars(p.probabilities, p.prediction);
    $('noise-label').textContent = 'clean record';
    plot(e.fs, e.leads, e.signals, e.saliency);
    return;
  }
  const level = noise.levels[k - 1]!;
  const counts = new Map<string, number>();
  for (const x of level.predictions) counts.set(x, (counts.get(x) ?? 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  bars(level.probabilities, top);
  $('noise-label').textContent = `SNR ${level.snrDb} dB: prediction kept in ${Math.round(level.agreement * level.predictions.length)} of ${level.predictions.length} noisy copies (${level.predictions.join(', ')})`;
  if (level.example) plot(noise.fs, e.leads, level.example, null);
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
$('show-saliency').addEventListener('change', (ev) => {
  state.showSaliency = (ev.target as HTMLInputElement).checked;
  for (const p of state.plots) p.redraw(false);
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
