// Every native function the TypeScript layer calls by name exists in the addon (generated or hand-written),
// so a change to tools/gen_ops.py's policy cannot silently drop an op.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const srcDir = fileURLToPath(new URL('.', import.meta.url));
const addon = createRequire(import.meta.url)(fileURLToPath(new URL('../build/Release/ecglab_torch.node', import.meta.url))) as Record<string, unknown>;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

test('every op name used by the TS layer is exported by the addon', () => {
  const used = new Set<string>();
  for (const file of sources(srcDir)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:Tensor\.op|Tensor\.opList|\bcall)\(\s*'([A-Za-z0-9_]+)'/g)) used.add(m[1]!);
    for (const m of text.matchAll(/this\.#(?:bin|un)\('([A-Za-z0-9_]+)'/g)) used.add(m[1]!);
  }
  assert.ok(used.size > 80, `found ${used.size} op names`);
  const missing = [...used].filter((n) => typeof addon[n] !== 'function');
  assert.deepEqual(missing, []);
});
