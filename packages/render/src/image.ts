/** An 8-bit RGBA image, rows top to bottom; alpha is always 255 (pages are opaque). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}
