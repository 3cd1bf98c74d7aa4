// `ecglab eval`'s option values, run in-process on a program holding only this command: values that parse
// but make no sense are refused naming the option, before the model or the data is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { register as evalCommand } from './eval.js';

async function run(args: string[]): Promise<string> {
  const program = new Command('ecglab').exitOverride().configureOutput({ writeErr: () => undefined });
  let out = '';
  evalCommand(program, { out: (s) => { out += s; }, err: () => undefined });
  await program.parseAsync(args, { from: 'user' });
  return out;
}

// Neither exists: an option error must come first.
const base = ['eval', '--model', '/nonexistent/run', '--data', 'cinc2017:/nonexistent/data'];

test('--ci names a metric: a typo is an error listing the metrics, not a line "bogus NaN" after the evaluation', async () => {
  await assert.rejects(run([...base, '--ci', 'bogus']), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ARGUMENT');
    assert.match(err.message, /^eval: --ci: 'bogus' is not a metric; expected one of accuracy, macroF1, macroAuroc, macroAuprc, balancedAccuracy, cinc2017F1, microF1, tunedMacroF1, loss, or f1:CLASS \/ auroc:CLASS$/);
    return true;
  });
  await assert.rejects(run([...base, '--ci', 'macroF1,f1']), /--ci: 'f1' is not a metric/);
  await assert.rejects(run([...base, '--ci', ' , ']), /eval: --ci needs at least one metric, got ' , '/);
  // A well-formed list passes the option check and fails on the missing folder, named.
  await assert.rejects(run([...base, '--ci', 'macroF1,auroc:A']), /folder '\/nonexistent\/data' not found/);
});

test('--bootstrap is an integer from 1 to 100000', async () => {
  for (const n of ['1000000000', '0', '2.5', 'many', 'Infinity', '1e400']) {
    await assert.rejects(run([...base, '--bootstrap', n]), new RegExp(`eval: --bootstrap must be an integer from 1 to 100000, got '${n.replace('.', '\\.')}'`));
  }
});

test('--threads sets libtorch threads before the model is read; 0, fractions and words are refused first', async () => {
  for (const n of ['0', '1.5', 'all', '']) await assert.rejects(run([...base, '--threads', n]), new RegExp(`--threads: expected an integer >= 1 <= 1024, got '${n.replace('.', '\\.')}'`));
  const { getNumThreads, setNumThreads } = await import('@ecglab/models');
  const before = getNumThreads();
  try {
    await assert.rejects(run([...base, '--threads', '1']), /folder '\/nonexistent\/data' not found/);
    assert.equal(getNumThreads(), 1);
  } finally {
    setNumThreads(before);
  }
});
