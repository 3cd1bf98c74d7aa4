import { Rng } from '@ecglab/data';

/**
 * A generator for one artefact: seeded by the page seed and the artefact's name, so that turning
 * one artefact on or off never changes what the others do.
 */
export function rngFor(seed: number, name: string): Rng {
  return Rng.derive(seed, Rng.hashString(name));
}
