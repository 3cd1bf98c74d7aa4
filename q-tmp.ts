import { openDataset, splitDataset } from '@ecglab/models/src/datasets/index.ts';
