// Load test of `ecglab serve`: N concurrent clients (default 50) on 127.0.0.1 cycling through six uploads
// (CinC .hea+.mat, PTB-XL .hea+.dat, CPSC .mat, a zip, a 12-lead CSV, a JPEG photo of a printout for the
// image model) for a duration or a number of requests; errors, p50/p99 latency, throughput and the server's resident memory over the run.
//   node --import tsx bench/service/load.ts [--duration 60 | --amount 10000] [--connections 50] [--models DIR] [--json]
// The models default to the service's test models (testing/models.ts); the server runs as its own process.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { testModelsDir } from '@ecglab/service/testing';
import { startServer } from './server.js';
import { recordUploads } from './uploads.js';

const { values } = parseArgs({ options: {
  duration: { type: 'string', default: '60' }, amount: { type: 'string' }, connections: { type: 'string', default: '50' },
  models: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean', default: false },
} });
const uploads = await recordUploads();
const server = await startServer(['--models', values.models ?? (await testModelsDir()), ...(values.threads ? ['--threads', values.threads] : [])]);
const rss: { t: number; mb: number; requests: number }[] = [];
let done = 0;
const t0 = Date.now();
const sample = setInterval(() => rss.push({ t: (Date.now() - t0) / 1000, mb: server.rssMb(), requests: done }), 1000);
const load0 = loadavg()[0]!;
try {
  // Warm up: one of each, so the first timings are not the models' first forward passes.
  for (const u of uploads) {
    const res = await fetch(`${server.url}/predict`, { method: 'POST', body: u.body, headers: { 'content-type': u.contentType } });
    if (res.status !== 200) throw new Error(`warm-up ${u.name}: ${res.status} ${await res.text()}`);
  }
  const rss0 = server.rssMb();
  const result = await autocannon({
    url: server.url,
    connections: Number(values.connections),
    ...(values.amount ? { amount: Number(values.amount) } : { duration: Number(values.duration) }),
    timeout: 60,
    requests: uploads.map((u) => ({ method: 'POST' as const, path: '/predict', body: u.body, headers: { 'content-type': u.contentType }, onResponse: () => { done++; } })),
  });
  clearInterval(sample);
  const rssEnd = server.rssMb();
  const after1k = rss.find((s) => s.requests >= 1000)?.mb ?? rss0;
  const report = {
    connections: result.connections,
    seconds: result.duration,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: result.statusCodeStats,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    throughputPerSecond: result.requests.average,
    rssMb: { afterWarmUp: rss0, after1000Requests: after1k, end: rssEnd, max: Math.max(...rss.map((s) => s.mb)), min: Math.min(...rss.map((s) => s.mb)) },
    rssChangeAfter1000Percent: (100 * (rssEnd - after1k)) / after1k,
    machine: { loadAverageAtStart: load0, loadAverageAtEnd: loadavg()[0], note: 'a shared 2-core machine: other engineers ran work during this run' },
  };
  if (values.json) console.log(JSON.stringify({ ...report, rssSamples: rss }, null, 2));
  else {
    console.log(`${report.requests} requests in ${report.seconds} s from ${report.connections} clients: ${report.throughputPerSecond.toFixed(1)} req/s`);
    console.log(`errors ${report.errors}, timeouts ${report.timeouts}, non-2xx ${report.non2xx}; status ${JSON.stringify(report.statusCodes)}`);
    console.log(`latency p50 ${report.latencyMs.p50} ms, p90 ${report.latencyMs.p90} ms, p99 ${report.latencyMs.p99} ms, max ${report.latencyMs.max} ms`);
    console.log(`server RSS: ${rss0.toFixed(0)} MB after warm-up, ${after1k.toFixed(0)} MB after 1,000 requests, ${rssEnd.toFixed(0)} MB at the end (min ${report.rssMb.min.toFixed(0)}, max ${report.rssMb.max.toFixed(0)}; ${report.rssChangeAfter1000Percent.toFixed(1)} % after the first 1,000)`);
    console.log(`load average ${load0.toFixed(1)} → ${report.machine.loadAverageAtEnd!.toFixed(1)} (${report.machine.note})`);
  }
} finally {
  clearInterval(sample);
  const code = await server.stop();
  if (code !== 0) console.error(`server exited with ${code} after SIGTERM`);
}
