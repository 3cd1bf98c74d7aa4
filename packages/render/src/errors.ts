/** Base class of @ecglab/render's errors: a stable `code` and a message naming the argument. */
export class RenderError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RenderError';
  }
}

/** An argument has the wrong type, shape or range: `RENDER_ARG`. */
export class RenderArgumentError extends RenderError {
  constructor(message: string) {
    super('RENDER_ARG', message);
    this.name = 'RenderArgumentError';
  }
}

/** An input image (a scan or photo of a printout) is unreadable, or too small or misshapen to be an ECG page: `RENDER_IMAGE`. */
export class RenderImageError extends RenderError {
  constructor(message: string) {
    super('RENDER_IMAGE', message);
    this.name = 'RenderImageError';
  }
}

/** The requested layout does not fit on the page (too large a speed, gain or too many rows). */
export class RenderLayoutError extends RenderError {
  constructor(message: string) {
    super('RENDER_LAYOUT', message);
    this.name = 'RenderLayoutError';
  }
}

/** Writing or encoding an image failed. */
export class RenderOutputError extends RenderError {
  constructor(message: string) {
    super('RENDER_OUTPUT', message);
    this.name = 'RenderOutputError';
  }
}

/** A worker thread of a RenderPool failed or the pool was closed: `RENDER_WORKER`. */
export class RenderWorkerError extends RenderError {
  constructor(message: string) {
    super('RENDER_WORKER', message);
    this.name = 'RenderWorkerError';
  }
}
