#!/usr/bin/env node
// Runs every `*.test.ts` under packages/*/src and tests/ with node's own test runner,
// loading TypeScript through tsx. Pass package names (engine, data, ...) to run a subset.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);

function walk(dir, out) {
  if (!existsSync(dir)) return out; // git keeps no empty folders: a clean clone may lack one
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const files = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  if (only.length > 0 && !only.includes(pkg)) continue;
  walk(join(root, 'packages', pkg, 'src'), files);
}
if (only.length === 0 || only.includes('e2e')) walk(join(root, 'tests'), files);
files.sort();
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...files.map((f) => relative(root, f))],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
