import { Mulberry32 } from '@ecglab/data';

/**
 * A generator for one artefact: seeded by the page seed and the artefact's name, so that turning
 * one artefact on or off never changes what the others do.
 */
export function rngFor(seed: number, name: string): Mulberry32 {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return new Mulberry32(Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0);
}
