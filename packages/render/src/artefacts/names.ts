import { RenderArgumentError } from '../errors.js';

/**
 * Every artefact, in the order the pipeline applies them: drawing-time first, then paper-space
 * shading, then the camera/scanner geometry, then photometric effects, then compression.
 */
export const ARTEFACT_NAMES = [
  'thickness',
  'creases',
  'wrinkles',
  'perspective',
  'rotation',
  'crop',
  'padding',
  'temperature',
  'contrast',
  'blur',
  'noise',
  'saltpepper',
  'jpeg',
] as const;

export type ArtefactName = (typeof ARTEFACT_NAMES)[number];
export type ArtefactStrengths = Partial<Record<ArtefactName, number>>;

/**
 * Parses `rotation=0.5,noise=0.3` (the CLI's `--artefacts`); `all=0.5` sets every artefact.
 *
 * @example parseArtefacts('rotation=0.5,blur=0.2') // { rotation: 0.5, blur: 0.2 }
 */
export function parseArtefacts(spec: string): ArtefactStrengths {
  const out: ArtefactStrengths = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^([a-z-]+)(?:=(.*))?$/.exec(part);
    if (m === null) throw new RenderArgumentError(`artefacts: '${part}' is not of the form name=strength`);
    const name = m[1] === 'salt-and-pepper' ? 'saltpepper' : (m[1] as string);
    const strength = m[2] === undefined ? 1 : Number(m[2]);
    if (!Number.isFinite(strength) || strength < 0 || strength > 1) {
      throw new RenderArgumentError(`artefacts: strength of '${name}' must be a number in [0, 1], got '${m[2]}'`);
    }
    if (name === 'all') {
      for (const n of ARTEFACT_NAMES) out[n] = strength;
    } else if ((ARTEFACT_NAMES as readonly string[]).includes(name)) {
      out[name as ArtefactName] = strength;
    } else {
      throw new RenderArgumentError(`artefacts: unknown artefact '${name}'; known: all, ${ARTEFACT_NAMES.join(', ')}`);
    }
  }
  return out;
}
