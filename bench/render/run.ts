// Pages per second of @ecglab/render on one core: a 3×4+II letter page at 200 DPI of PTB-XL record
// 00017 (500 Hz, 12 leads, 10 s), clean and with artefacts, to RGBA, to a tensor, to PNG/JPEG files.
//   node --import tsx bench/render/run.ts [--json] [--seconds S]
// One thread: sharp.concurrency(1) and UV_THREADPOOL_SIZE=1 (set here before libuv's pool starts);
// Skia draws on the calling thread. cpu/wall near 1.0 confirms one core was used.
process.env.UV_THREADPOOL_SIZE = '1';
const { run } = await import('./cases.js');
await run(process.argv.slice(2));
