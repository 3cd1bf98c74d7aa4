export { Rng } from './prng.js';
export { addWhiteNoise, meanSquare, type WhiteNoiseSpec } from './white.js';
export { loadNstdbNoise, addNstdbNoise, qrsPeakToPeak, nstSignalPower, type NstdbKind, type NoiseRecord, type NstdbNoiseOptions } from './nstdb.js';
