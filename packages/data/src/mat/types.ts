/** MATLAB numeric classes, as named by MATLAB's `class()`. */
export type MatNumericClass = 'double' | 'single' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64';

export type MatTypedArray = Float64Array | Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** A numeric (or logical) array; `data` is column-major (MATLAB order): element (i,j) is data[i + j*dims[0]]. */
export interface MatNumeric {
  kind: 'numeric';
  class: MatNumericClass;
  dims: number[];
  data: MatTypedArray;
  /** Imaginary part, for complex arrays. */
  imag: MatTypedArray | undefined;
  logical: boolean;
}

/** A char array; `rows` holds each row as a string (one row for an ordinary string). */
export interface MatChar {
  kind: 'char';
  dims: number[];
  rows: string[];
}

/** A struct array: `elements[k][field]`, elements in column-major order. */
export interface MatStruct {
  kind: 'struct';
  dims: number[];
  fields: string[];
  elements: Record<string, MatValue>[];
}

/** A cell array, cells in column-major order. */
export interface MatCell {
  kind: 'cell';
  dims: number[];
  cells: MatValue[];
}

export type MatValue = MatNumeric | MatChar | MatStruct | MatCell;

/** The variables of a MAT file by name, with the file's version (4 or 5) and v5 header text. */
export interface MatFile {
  version: 4 | 5;
  headerText: string;
  variables: Record<string, MatValue>;
}
