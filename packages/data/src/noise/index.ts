export { addWhiteNoise, meanSquare, type WhiteNoiseSpec } from './white.js';
export { loadNstdbNoise, addNstdbNoise, qrsPeakToPeak, noiseRms, nstSignalPower, nstSnrDb, type NstdbKind, type NoiseRecord, type NstdbNoiseOptions } from './nstdb.js';
