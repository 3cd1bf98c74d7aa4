// glibc settings for a PyTorch peer process, shared by the benches that time one (bench/models, bench/train).
// 'default': the peer as people run it. 'ecglab': the thresholds ecglab's addon sets at load (allocator.cc,
// keepGlibcMemory); blocks above 32 MiB are still mapped afresh. 'heap': glibc never maps or trims (thresholds of
// 4 GiB and 64 GiB), PyTorch's best case here: every activation reuses heap memory, no fresh pages after warm-up.
// glibc reads these variables when the process starts, so they go into the peer's environment.
export const PEER_GLIBC = {
  default: {},
  ecglab: { MALLOC_MMAP_THRESHOLD_: String(32 << 20), MALLOC_TRIM_THRESHOLD_: String(256 << 20) },
  heap: { MALLOC_MMAP_THRESHOLD_: String(2 ** 32), MALLOC_TRIM_THRESHOLD_: String(2 ** 36) },
} as const;
export type PeerGlibc = keyof typeof PEER_GLIBC;

/** The `--peer-glibc` value checked: default, ecglab or heap. */
export function peerGlibcArg(text: string): PeerGlibc {
  if (!Object.hasOwn(PEER_GLIBC, text)) throw new Error(`--peer-glibc: expected default, ecglab or heap, got '${text}'`);
  return text as PeerGlibc;
}
