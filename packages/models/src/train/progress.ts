import cliProgress from 'cli-progress';

/** What the trainer reports to a progress display. */
export interface Progress {
  startEpoch(epoch: number, epochs: number, steps: number): void;
  step(done: number, loss: number): void;
  endEpoch(summary: string): void;
  stop(): void;
}

/**
 * A progress bar with ETA and the running loss (cli-progress) when stderr is a TTY; otherwise
 * one line per epoch, so logs and CI output stay readable. `quiet` prints nothing.
 */
export function createProgress(opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet) return { startEpoch() {}, step() {}, endEpoch() {}, stop() {} };
  if (!stream.isTTY) {
    return {
      startEpoch() {},
      step() {},
      endEpoch(summary) {
        stream.write(`${summary}\n`);
      },
      stop() {},
    };
  }
  let bar: cliProgress.SingleBar | null = null;
  return {
    startEpoch(epoch, epochs, steps) {
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `epoch ${epoch + 1}/${epochs} [{bar}] {value}/{total} | loss {loss} | ETA {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(steps, 0, { loss: '-' });
    },
    step(done, loss) {
      bar?.update(done, { loss: loss.toFixed(4) });
    },
    endEpoch(summary) {
      bar?.stop();
      bar = null;
      stream.write(`${summary}\n`);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
