// The uploads the load test cycles through: each record form the service reads, from the shipped fixtures,
// and a photo of a printout for the image model.
import { readFileSync } from 'node:fs';
import { readRecord } from '@ecglab/data';
import { encodeImage, renderPage } from '@ecglab/render';
import { fixture, makeZip } from '@ecglab/service/testing';

export interface Upload { name: string; body: Buffer; contentType: string }

/** A multipart/form-data body (RFC 7578) with `file` parts and text fields. */
export function multipart(files: { name: string; data: Uint8Array }[], fields: Record<string, string> = {}): { body: Buffer; contentType: string } {
  const boundary = `ecglab${Math.random().toString(36).slice(2)}`;
  const parts: Buffer[] = [];
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`), Buffer.from(f.data), Buffer.from('\r\n'));
  }
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

const file = (path: string) => ({ name: path.slice(path.lastIndexOf('/') + 1), data: readFileSync(path) });

/**
 * Six uploads: CinC .hea+.mat, PTB-XL .hea+.dat (12 leads), a CPSC .mat, a zip of a CinC record, a 12-lead CSV,
 * and a JPEG photo of a PTB-XL record's page at 100 DPI with photo artefacts (for the image model).
 */
export async function recordUploads(): Promise<Upload[]> {
  const cinc = fixture('cinc2017/training2017/A00073');
  const ptb = fixture('ptbxl/records100/00000/00001_lr');
  const rec = await readRecord(ptb);
  const csv = [rec.leadNames.join(','), ...Array.from({ length: rec.signals[0]!.length }, (_, i) => rec.signals.map((s) => s[i]!.toFixed(4)).join(','))].join('\n');
  const zip = makeZip([{ name: 'A00067.hea', data: readFileSync(fixture('cinc2017/training2017/A00067.hea')) }, { name: 'A00067.mat', data: readFileSync(fixture('cinc2017/training2017/A00067.mat')) }]);
  return [
    { name: 'cinc-wfdb-mat', ...multipart([file(`${cinc}.hea`), file(`${cinc}.mat`)]) },
    { name: 'ptbxl-wfdb-dat', ...multipart([file(`${ptb}.hea`), file(`${ptb}.dat`)]) },
    { name: 'cpsc-mat', ...multipart([file(fixture('cpsc2018/TrainingSet1/A1980.mat'))]) },
    { name: 'zip', ...multipart([{ name: 'A00067.zip', data: zip }]) },
    { name: 'csv-12-lead', ...multipart([{ name: '00001_lr.csv', data: Buffer.from(csv) }], { fs: '100' }) },
    { name: 'photo-jpeg', ...multipart([{ name: 'photo.jpg', data: await photo() }]) },
  ];
}

/** A PTB-XL record drawn as a 1100×850 page with rotation, perspective and blur, as a JPEG. */
async function photo(): Promise<Uint8Array> {
  const page = await renderPage(await readRecord(fixture('ptbxl/records500/00000/00017_hr')), { layout: '3x4+II', dpi: 100, artefacts: { rotation: 0.3, perspective: 0.3, blur: 0.2 }, seed: 1 });
  return new Uint8Array(await encodeImage(page, { format: 'jpeg' }));
}
