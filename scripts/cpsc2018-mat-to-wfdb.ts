// Writes records of CPSC 2018's original form (MATLAB v5 struct `ECG`, 12×N float64 mV, 500 Hz, no
// header; read by @ecglab/data's openCpsc2018) as WFDB records (fmt 16, 1000/mV, as the CinC 2020
// form), so that `ecglab info` and `ecglab predict`, which read WFDB, can take them. Each header
// carries `#Age`, `#Sex` and `#Dx` (REFERENCE.csv's labels by name).
//
//   node --import tsx scripts/cpsc2018-mat-to-wfdb.ts <cpsc2018 dir> <out dir> [RECORD ...]
//   e.g. node --import tsx scripts/cpsc2018-mat-to-wfdb.ts "$ECGLAB_DATA/cpsc2018" runs/cpsc-wfdb A1986 A1988
//
// With no RECORD, every record of <cpsc2018 dir>/TrainingSet1 is written.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openCpsc2018, wrsamp } from '@ecglab/data';

const [dir, out, ...wanted] = process.argv.slice(2);
if (!dir || !out) {
  process.stderr.write('usage: node --import tsx scripts/cpsc2018-mat-to-wfdb.ts <cpsc2018 dir> <out dir> [RECORD ...]\n');
  process.exit(2);
}
const db = openCpsc2018({ reference: join(dir, 'REFERENCE.csv'), matDir: join(dir, 'TrainingSet1') });
const ids = wanted.length > 0 ? wanted : db.list();
mkdirSync(out, { recursive: true });
for (const id of ids) {
  const rec = await db.load(id);
  const meta = db.metadata(id);
  const comments = [`Age: ${meta.age ?? 'NaN'}`, `Sex: ${meta.sex === 'M' ? 'Male' : meta.sex === 'F' ? 'Female' : 'Unknown'}`, `Dx: ${db.labels(id).names.join(',')}`];
  await wrsamp(join(out, id), { fs: rec.fs, sigName: rec.leadNames, physical: rec.signals.map((l) => Float64Array.from(l)), fmt: 16, adcGain: new Array<number>(rec.signals.length).fill(1000), baseline: new Array<number>(rec.signals.length).fill(0), comments });
  process.stdout.write(`${join(out, id)}: ${rec.signals.length} leads, ${rec.fs} Hz, ${rec.signals[0]!.length} samples, Dx ${db.labels(id).names.join(',')}\n`);
}
