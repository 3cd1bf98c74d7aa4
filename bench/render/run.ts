// Pages per second of @ecglab/render. Two benchmarks:
//   node --import tsx bench/render/run.ts [--json] [--rounds 3] [--seconds 6] [--workers 2] [--kit-runs 2] [--kit-procs 2] [--no-kit]
//     throughput against ecg-image-kit, interleaved, on one thread and through a RenderPool (throughput.ts)
//   node --import tsx bench/render/run.ts --cases [--json] [--seconds S]
//     every case (clean, artefacts, tensor, PNG, JPEG) on ONE thread (cases.ts): sharp.concurrency(1),
//     UV_THREADPOOL_SIZE=1, Skia on the calling thread; cpu/wall near 1.0 confirms one core was used.
// libuv's thread pool is sized before it starts: one thread for --cases, one per worker otherwise
// (each worker's sharp encode runs there).
const argv = process.argv.slice(2);
const cases = argv.includes('--cases');
const at = argv.indexOf('--workers');
process.env.UV_THREADPOOL_SIZE = cases ? '1' : at >= 0 ? argv[at + 1]! : String((await import('node:os')).availableParallelism());
if (cases) {
  const { run } = await import('./cases.js');
  await run(argv.filter((x) => x !== '--cases'));
} else {
  const { throughput } = await import('./throughput.js');
  await throughput(argv);
}
