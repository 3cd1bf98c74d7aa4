/** Base class of @ecglab/models errors: a stable `code` and a message naming the file/field/argument. */
export class ModelsError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ModelsError';
    this.code = code;
  }
}

/** A config file failed to parse or validate: `config.yaml: /optimizer/lr must be a number > 0, got "fast"`. */
export class ConfigError extends ModelsError {
  constructor(message: string) {
    super('CONFIG', message);
    this.name = 'ConfigError';
  }
}

/** A function argument has the wrong shape, length or value. */
export class ArgumentError extends ModelsError {
  constructor(message: string) {
    super('ARGUMENT', message);
    this.name = 'ArgumentError';
  }
}

/** A run directory or checkpoint is missing, incomplete or inconsistent. */
export class RunError extends ModelsError {
  constructor(message: string) {
    super('RUN', message);
    this.name = 'RunError';
  }
}

/** A dataset spec or record could not be resolved. */
export class DataSpecError extends ModelsError {
  constructor(message: string) {
    super('DATASPEC', message);
    this.name = 'DataSpecError';
  }
}

/** A rank of a data-parallel run stopped (a collective failed, ranks disagree): names the rank and what to do. */
export class DistributedError extends ModelsError {
  constructor(message: string) {
    super('DISTRIBUTED', message);
    this.name = 'DistributedError';
  }
}
