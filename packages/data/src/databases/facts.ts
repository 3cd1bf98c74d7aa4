import type { DatabaseFacts } from './types.js';

// Facts about each database, as data. Class tables that the databases ship (dx_mapping_scored.csv,
// scp_statements.csv, ludb.csv) are read from their files; what they do not say is here.

export const CINC2017: DatabaseFacts & { classes: readonly string[]; classNames: Record<string, string> } = {
  name: 'cinc2017',
  title: 'AF Classification from a Short Single Lead ECG Recording: PhysioNet/CinC Challenge 2017',
  citation: 'Clifford GD, Liu C, Moody B, et al. AF Classification from a Short Single Lead ECG Recording: the PhysioNet/Computing in Cardiology Challenge 2017. Computing in Cardiology 2017;44.',
  licence: 'ODC-By 1.0 (per PhysioNet; unverified)',
  url: 'https://physionet.org/content/challenge-2017/1.0.0/',
  fs: [300],
  officialFolds: null,
  classes: ['N', 'A', 'O', '~'],
  classNames: { N: 'normal rhythm', A: 'atrial fibrillation', O: 'other rhythm', '~': 'too noisy to classify' },
};

export const CPSC2018: DatabaseFacts & { classes: readonly string[]; codes: Record<string, string> } = {
  name: 'cpsc2018',
  title: 'China Physiological Signal Challenge 2018',
  citation: 'Liu F, Liu C, Zhao L, et al. An open access database for evaluating the algorithms of electrocardiogram rhythm and morphology abnormality detection. J Med Imaging Health Inform 2018;8(7):1368-1373.',
  licence: 'free for research; CinC 2020 redistribution CC BY 4.0 (per PhysioNet; unverified)',
  url: 'http://2018.icbeb.org/Challenge.html',
  fs: [500],
  officialFolds: null,
  // REFERENCE.csv codes 1..9; names as in the CinC 2020 headers' #Dx
  classes: ['Normal', 'AF', 'I-AVB', 'LBBB', 'RBBB', 'PAC', 'PVC', 'STD', 'STE'],
  codes: { '1': 'Normal', '2': 'AF', '3': 'I-AVB', '4': 'LBBB', '5': 'RBBB', '6': 'PAC', '7': 'PVC', '8': 'STD', '9': 'STE' },
};

export const CINC2021: DatabaseFacts & { equivalent: readonly [string, string][] } = {
  name: 'cinc2021',
  title: 'Will Two Do? Varying Dimensions in Electrocardiography: PhysioNet/CinC Challenge 2021',
  citation: 'Reyna MA, Sadr N, Perez Alday EA, et al. Will Two Do? Varying Dimensions in Electrocardiography: the PhysioNet/Computing in Cardiology Challenge 2021. Computing in Cardiology 2021;48.',
  licence: 'CC BY 4.0 (per PhysioNet; unverified); label tables BSD-2-Clause',
  url: 'https://physionet.org/content/challenge-2021/',
  fs: [257, 500, 1000],
  officialFolds: null,
  // Scored as one class by the challenge (evaluate_model.py; weights.csv columns "a|b")
  equivalent: [
    ['713427006', '59118001'], // CRBBB ≡ RBBB
    ['284470004', '63593006'], // PAC ≡ SVPB
    ['427172004', '17338001'], // PVC ≡ VPB
    ['733534002', '164909002'], // CLBBB ≡ LBBB
  ],
};

export const PTBXL: DatabaseFacts & { superclasses: readonly string[] } = {
  name: 'ptbxl',
  title: 'PTB-XL, a large publicly available electrocardiography dataset',
  citation: 'Wagner P, Strodthoff N, Bousseljot RD, et al. PTB-XL, a large publicly available electrocardiography dataset. Scientific Data 2020;7:154.',
  licence: 'CC BY 4.0',
  url: 'https://physionet.org/content/ptb-xl/',
  fs: [100, 500],
  officialFolds: 'strat_fold 1-10 of ptbxl_database.csv (folds 9 and 10 have human-validated labels; the authors recommend them for validation and test)',
  // the diagnostic superclasses in the order of the PTB-XL benchmark (Strodthoff et al. 2021)
  superclasses: ['NORM', 'MI', 'STTC', 'CD', 'HYP'],
};

export const LUDB: DatabaseFacts & { diagnosisColumns: readonly string[] } = {
  name: 'ludb',
  title: 'Lobachevsky University Electrocardiography Database',
  citation: 'Kalyakulina AI, Yusipov II, Moskalenko VA, et al. LUDB: a new open-access validation tool for electrocardiogram delineation algorithms. IEEE Access 2020;8:186181-186190.',
  licence: 'ODC-By 1.0',
  url: 'https://physionet.org/content/ludb/1.0.1/',
  fs: [500],
  officialFolds: null,
  // ludb.csv columns whose cells list diagnoses, one per line
  diagnosisColumns: ['Conduction abnormalities', 'Extrasystolies', 'Hypertrophies', 'Cardiac pacing', 'Ischemia', 'Non-specific repolarization abnormalities', 'Other states'],
};

/** LUDB wave annotation files: one per lead, named by the lead in lower case. */
export const LUDB_LEAD_EXTENSIONS = ['i', 'ii', 'iii', 'avr', 'avl', 'avf', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6'];
