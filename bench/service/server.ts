// Starts `ecglab serve` as its own process (so its resident memory is the service's alone) and samples its RSS.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../packages/cli/bin/ecglab.mjs', import.meta.url));

export interface ServerProcess { url: string; child: ChildProcess; rssMb(): number; stop(): Promise<number | null> }

/** `ecglab serve --port 0` on 127.0.0.1 with `args`; resolves when it listens. Its JSON logs are discarded. */
export function startServer(args: string[]): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += String(d);
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        resolve({
          url: m[1]!,
          child,
          rssMb: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024,
          stop: () => new Promise((r) => { child.once('exit', (code) => r(code)); child.kill('SIGTERM'); }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`ecglab serve exited with ${code}: ${err}`)));
  });
}
