// Writes configs/splits/cinc2017-val.txt: the validation records of configs/cinc2017.yaml's stratified split,
// fixed in a file so that configs/cinc2017-all.yaml (the 7,728-record superset) validates on the same records.
//   node --import tsx scripts/make-cinc2017-split.ts > configs/splits/cinc2017-val.txt
import { loadRunConfig, openDataset, splitDataset } from '@ecglab/models';
const cfg = loadRunConfig('configs/cinc2017.yaml');
const data = await openDataset(cfg.data, { inputLeads: cfg.input.leads, seed: cfg.seed });
const split = splitDataset(data, { data: cfg.data, seed: cfg.seed, valFraction: 0.2 });
const counts = data.classes.map((c, k) => `${c} ${split.val.filter((i) => data.labels[i] === k).length}`).join(', ');
process.stdout.write(`# Validation records of the CinC 2017 runs: the stratified 20 % (seed 1) of the shared 3,411-record training2017/\n# (@ecglab/data stratifiedSplit over the REFERENCE.csv classes; ${split.val.length} records: ${counts}).\n# configs/cinc2017.yaml and configs/cinc2017-all.yaml both validate on them, so the two compare.\n${split.val.map((i) => data.ids[i]).join('\n')}\n`);
