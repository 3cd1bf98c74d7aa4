import type { Command } from 'commander';
import { stdio, type CommandIo } from './io.js';
import { numberArg, threadsArg } from './parse.js';

interface ServeFlags { host: string; port: string; models?: string; maxUploadMb?: string; timeout?: string; maxQueue?: string; threads?: string }

/** `ecglab serve [--host 127.0.0.1] [--port 8080] [--models DIR]`: the HTTP service and its page until SIGTERM/SIGINT. */
export function register(program: Command, io: CommandIo = stdio): void {
  program
    .command('serve')
    .description('serve predictions over HTTP, with a web page at / and the API described at /openapi.json')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0: any free one)', '8080')
    .option('--models <dir>', 'folder of models (default: the repository\'s models/)')
    .option('--max-upload-mb <mb>', 'largest request body (default 20)')
    .option('--timeout <seconds>', 'time limit of a request, queueing included (default 30)')
    .option('--max-queue <n>', 'requests waiting for the model before new ones get 503 (default 64)')
    .option('--threads <n>', 'libtorch threads of the inference worker (default: all cores)')
    .addHelpText('after', `
Endpoints: GET /health, GET /models, GET /models/NAME/card, POST /predict, POST /render, POST /robustness,
GET /openapi.json, and the page at /. Logs are JSON lines on stdout. SIGTERM or SIGINT: in-flight requests
finish, new ones get 503, then the process exits.
Example:
  ecglab serve --port 8080 &
  curl -F file=@A00001.hea -F file=@A00001.mat http://127.0.0.1:8080/predict`)
    .action(async (opts: ServeFlags) => {
      // Every flag is checked before the service and its models load.
      const port = numberArg('--port', opts.port, { min: 0, max: 65535, integer: true });
      const threads = threadsArg(opts.threads);
      const maxUploadMb = opts.maxUploadMb === undefined ? undefined : numberArg('--max-upload-mb', opts.maxUploadMb, { min: 0.001, max: 1024 });
      const timeout = opts.timeout === undefined ? undefined : numberArg('--timeout', opts.timeout, { min: 0.001 });
      const maxQueue = opts.maxQueue === undefined ? undefined : numberArg('--max-queue', opts.maxQueue, { min: 1, integer: true });
      const { serve } = await import('@ecglab/service');
      const server = await serve({
        host: opts.host,
        port,
        ...(opts.models ? { modelsDir: opts.models } : {}),
        ...(threads !== undefined ? { numThreads: threads } : {}),
        limits: {
          ...(maxUploadMb !== undefined ? { maxUploadBytes: Math.round(maxUploadMb * 1024 * 1024) } : {}),
          ...(timeout !== undefined ? { requestTimeoutMs: Math.round(timeout * 1000) } : {}),
          ...(maxQueue !== undefined ? { maxQueue } : {}),
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
