// Test helpers other packages can use: `import { gradcheck } from '@ecglab/engine/testing'`.
export { gradcheck, gradgradcheck, prng, normals } from './gradcheck.js';
export type { GradcheckOptions, GradcheckReport } from './gradcheck.js';
