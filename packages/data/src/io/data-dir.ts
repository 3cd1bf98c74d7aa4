import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The data collection's folder: `$ECGLAB_DATA`, else `../shared/data` beside the checkout. Configs
 * (`${ECGLAB_DATA}` in a path), benches and scripts all find the data through this, so no absolute folder
 * of one machine is written anywhere.
 *
 * @example join(dataDir(), 'cinc2017/training2017')
 */
export function dataDir(): string {
  // This file is packages/data/src/io/data-dir.ts (or the same place in a build): five levels up is the checkout's parent.
  return process.env.ECGLAB_DATA || resolve(fileURLToPath(new URL('../../../../..', import.meta.url)), 'shared', 'data');
}
