// A format error in safetensors bytes or arguments. Kept addon-free so encode/decode work without libtorch.
export class SafetensorsError extends Error {
  readonly code = 'SAFETENSORS';
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}
