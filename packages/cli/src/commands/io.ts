/** Where a command writes; tests pass their own to capture output in-process. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

export const stdio: CommandIo = {
  out: (text) => { process.stdout.write(text); },
  err: (text) => { process.stderr.write(text); },
};
