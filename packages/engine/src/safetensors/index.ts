// safetensors: the Hugging Face tensor file format, bytes (no addon needed) and tensors.
export { encode, decode, type RawTensor, type StDType, type StArray, type Decoded } from './format.js';
export { save, load, tensorToRaw, rawToTensor, maxModelBytes } from './tensors.js';
export { SafetensorsError } from './errors.js';
