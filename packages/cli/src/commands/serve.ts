import { InvalidArgumentError, type Command } from 'commander';
import { stdio, type CommandIo } from './io.js';

function positive(flag: string) {
  return (v: string) => {
    const n = Number(v);
    if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`--${flag} must be a number > 0, got '${v}'`);
    return n;
  };
}

interface ServeFlags { host: string; port: string; models?: string; maxUploadMb?: number; timeout?: number; maxQueue?: number; threads?: number }

/** `ecglab serve [--host 127.0.0.1] [--port 8080] [--models DIR]`: the HTTP service and its page until SIGTERM/SIGINT. */
export function register(program: Command, io: CommandIo = stdio): void {
  program
    .command('serve')
    .description('serve predictions over HTTP, with a web page at / and the API described at /openapi.json')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0: any free one)', '8080')
    .option('--models <dir>', 'folder of models (default: the repository\'s models/)')
    .option('--max-upload-mb <mb>', 'largest request body (default 20)', positive('max-upload-mb'))
    .option('--timeout <seconds>', 'time limit of a request, queueing included (default 30)', positive('timeout'))
    .option('--max-queue <n>', 'requests waiting for the model before new ones get 503 (default 64)', positive('max-queue'))
    .option('--threads <n>', 'libtorch threads of the inference worker (default: all cores)', positive('threads'))
    .addHelpText('after', `
Endpoints: GET /health, GET /models, GET /models/NAME/card, POST /predict, POST /render, POST /robustness,
GET /openapi.json, and the page at /. Logs are JSON lines on stdout. SIGTERM or SIGINT: in-flight requests
finish, new ones get 503, then the process exits.
Example:
  ecglab serve --port 8080 &
  curl -F file=@A00001.hea -F file=@A00001.mat http://127.0.0.1:8080/predict`)
    .action(async (opts: ServeFlags) => {
      const port = Number(opts.port);
      if (!(Number.isInteger(port) && port >= 0 && port < 65536)) throw new InvalidArgumentError(`--port must be an integer in [0, 65535], got '${opts.port}'`);
      const { serve } = await import('@ecglab/service');
      const server = await serve({
        host: opts.host,
        port,
        ...(opts.models ? { modelsDir: opts.models } : {}),
        ...(opts.threads ? { numThreads: Math.round(opts.threads) } : {}),
        limits: {
          ...(opts.maxUploadMb ? { maxUploadBytes: Math.round(opts.maxUploadMb * 1024 * 1024) } : {}),
          ...(opts.timeout ? { requestTimeoutMs: Math.round(opts.timeout * 1000) } : {}),
          ...(opts.maxQueue ? { maxQueue: Math.round(opts.maxQueue) } : {}),
        },
      });
      io.err(`ecglab serve: listening on ${server.url} (models: ${server.service.ctx.models.map((m) => m.name).join(', ') || 'none'})\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          io.err(`ecglab serve: ${signal}: finishing in-flight requests\n`);
          process.off('SIGTERM', onTerm);
          process.off('SIGINT', onInt);
          void server.shutdown().then(resolve);
        };
        const onTerm = () => stop('SIGTERM');
        const onInt = () => stop('SIGINT');
        process.on('SIGTERM', onTerm);
        process.on('SIGINT', onInt);
      });
      io.err('ecglab serve: stopped\n');
    });
}
