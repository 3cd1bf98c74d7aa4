#!/usr/bin/env node
// The `ecglab` command. Sources are TypeScript run through tsx's loader, so the CLI needs no
// separate build step and always matches the code the tests exercise.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
