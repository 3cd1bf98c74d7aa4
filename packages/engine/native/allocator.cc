// A caching allocator for large CPU tensors: freed blocks are kept and handed out again, so the memory of a
// training step's activations is faulted in once instead of on every step.
//
// Why: glibc serves allocations above its mmap threshold (at most 32 MiB, dynamic) with fresh mappings and
// unmaps them on free, so every large activation costs one minor page fault per 4 KiB page on every step
// (measured ~7 µs each on this VM; 25-90 k faults in a Ma & Liang train step, a third of its time; see
// BENCHMARKS.md, Models). PyTorch's CUDA allocator caches for the same reason. Small blocks stay with glibc,
// whose heap already reuses them.
//
// Blocks are rounded up to size classes of 1/8 of a power of two (whole 2 MiB pages from 2 MiB up) and mapped with
// mmap: pages of a block that a tensor never touches are never faulted in, so rounding costs address space, not
// memory. Blocks from 2 MiB up are aligned to 2 MiB and advised for transparent huge pages (mapBlock): the first
// Ma & Liang train step of a process took 16 k minor faults instead of 143 k, 1.1 s instead of 1.7 s
// (bench/models/cold-start.ts); ECGLAB_CPU_HUGE_PAGES=0 leaves the pages at 4 KiB. A freed block
// goes to a free list; an allocation takes the smallest cached block of its class or up to twice its size.
// The cache is bounded (ECGLAB_CPU_CACHE_MB, default 2048 MiB; 0 turns the allocator off at load): a block
// that would push the cached bytes over the bound is unmapped instead. `emptyCache()` unmaps every cached block.
#include "common.h"

#include <c10/core/CPUAllocator.h>
#include <malloc.h>
#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <unordered_map>

namespace ecg {

namespace {

constexpr size_t kMinBlock = size_t(1) << 20;  // below 1 MiB glibc's heap reuses memory already mapped
constexpr size_t kHugePage = size_t(2) << 20;

// n rounded up to the next size class: 2^k · (8 + j) / 8, j = 0..7 (at most 12.5 % of address space wasted), and
// from 2 MiB up to whole huge pages (at most 2 MiB more: a 2.1 MiB tensor takes a 4 MiB block).
size_t sizeClass(size_t n) {
  size_t p = 1;
  while (p * 2 <= n) p *= 2;  // p = largest power of two <= n
  size_t step = p / 8;
  if (n >= kHugePage && step < kHugePage) step = kHugePage;  // whole huge pages (mapBlock)
  return (n + step - 1) / step * step;
}

bool gHugePages = true;  // ECGLAB_CPU_HUGE_PAGES=0 turns the advice off (read at load)

// A block of `size` bytes (a multiple of kHugePage when at least that big) from a fresh anonymous mapping, aligned
// to 2 MiB and marked for transparent huge pages, so that a large activation is faulted in 2 MiB at a time and
// covered by few TLB entries. nullptr when the kernel refuses.
void* mapBlock(size_t size) {
  if (size < kHugePage) {
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
  }
  void* raw = mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  auto start = reinterpret_cast<uintptr_t>(raw);
  uintptr_t aligned = (start + kHugePage - 1) & ~(uintptr_t(kHugePage) - 1);
  if (aligned > start) munmap(raw, aligned - start);                            // the unaligned head
  size_t tail = start + kHugePage - aligned;                                     // the 2 MiB over, less the head
  if (tail > 0) munmap(reinterpret_cast<void*>(aligned + size), tail);
  if (gHugePages) madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);  // advice: ignored where THP is off
  return reinterpret_cast<void*>(aligned);
}

class CachingCpuAllocator final : public c10::Allocator {
 public:
  explicit CachingCpuAllocator(size_t limitBytes) : limit_(limitBytes) {}

  c10::DataPtr allocate(size_t n) const override {
    if (n < kMinBlock) return fallback_->allocate(n);
    size_t cls = sizeClass(n);
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = free_.lower_bound(cls);
      if (it != free_.end() && it->first <= 2 * cls) {
        void* p = it->second;
        size_t size = it->first;
        free_.erase(it);
        cached_ -= size;
        live_[p] = size;
        hits_++;
        return {p, p, &release, c10::Device(c10::DeviceType::CPU)};
      }
      misses_++;
    }
    void* p = mapBlock(cls);
    if (p == nullptr) {
      // Out of address space or memory: give the cache back to the system and try once more.
      emptyCache();
      p = mapBlock(cls);
      if (p == nullptr) throw std::bad_alloc();
    }
    std::lock_guard<std::mutex> lock(mu_);
    live_[p] = cls;
    return {p, p, &release, c10::Device(c10::DeviceType::CPU)};
  }

  c10::DeleterFnPtr raw_deleter() const override { return &release; }

  void free(void* p) const {
    size_t size = 0;  // 0: not one of our blocks
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = live_.find(p);
      if (it != live_.end()) {
        size = it->second;
        live_.erase(it);
        if (cached_ + size <= limit_) {
          free_.emplace(size, p);
          cached_ += size;
          return;
        }
      }
    }
    if (size > 0) {
      munmap(p, size);
    } else {
      // A small block: allocate() gave it out from the fallback, but raw_deallocate() (which libtorch and
      // oneDNN use for scratch buffers) frees through raw_deleter(), which is ours. Hand it back to glibc;
      // ignoring it instead leaked every such buffer (~27 MB per Ma & Liang train step).
      fallbackDeleter_(p);
    }
  }

  void emptyCache() const {
    std::multimap<size_t, void*> drop;
    {
      std::lock_guard<std::mutex> lock(mu_);
      drop.swap(free_);
      cached_ = 0;
    }
    for (auto& [size, p] : drop) munmap(p, size);
  }

  struct Stats {
    size_t cached, live, blocksCached, hits, misses, limit;
  };
  Stats stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    size_t live = 0;
    for (auto& [p, size] : live_) live += size;
    return {cached_, live, free_.size(), hits_, misses_, limit_};
  }

  static void release(void* p);

 private:
  const size_t limit_;
  c10::Allocator* fallback_ = c10::GetDefaultCPUAllocator();
  c10::DeleterFnPtr fallbackDeleter_ = fallback_->raw_deleter();
  mutable std::mutex mu_;
  mutable std::multimap<size_t, void*> free_;      // class size -> cached block
  mutable std::unordered_map<void*, size_t> live_;  // block -> class size, for blocks handed out
  mutable size_t cached_ = 0;
  mutable size_t hits_ = 0;
  mutable size_t misses_ = 0;
};

// Never destroyed: tensors may be freed during process exit, after static destructors have run.
CachingCpuAllocator* gAllocator = nullptr;

void CachingCpuAllocator::release(void* p) { gAllocator->free(p); }

// Below the caching allocator's 1 MiB floor, glibc serves the process: libtorch's small tensors and oneDNN's scratch,
// and V8's ArrayBuffers (a collated batch, a record's samples). By default glibc maps every block above its dynamic
// mmap threshold afresh and hands memory at the top of its heap back to the kernel beyond 128 KiB, so a 1.2 MB batch
// buffer filled once costs ~300 minor faults (~3.5 ms on this VM, as long as copying it 100 times). A fixed mmap
// threshold at its maximum (32 MiB) and a trim threshold of 256 MiB keep such blocks in the heap for reuse; the heap
// still gives back memory beyond 256 MiB free at its top, so an idle process does not hold its peak for ever.
void keepGlibcMemory() {
  bool ok = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1;
  ok = mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1 && ok;
  if (!ok) std::fprintf(stderr, "ecglab: glibc refused its mmap/trim thresholds (mallopt); small allocations keep its defaults\n");
}

}  // namespace

void initAllocator() {
  static std::once_flag once;
  std::call_once(once, [] {
    size_t mb = 2048;
    if (const char* env = std::getenv("ECGLAB_CPU_CACHE_MB")) {
      char* end = nullptr;
      long v = std::strtol(env, &end, 10);
      if (end != env && *end == '\0' && v >= 0) {
        mb = static_cast<size_t>(v);
      } else {
        // Load time has no caller to throw to; say what was wrong rather than ignore it silently.
        std::fprintf(stderr, "ecglab: ECGLAB_CPU_CACHE_MB must be a whole number of MiB (0 turns the cache off), got '%s'; using %zu\n", env, mb);
      }
    }
    if (const char* env = std::getenv("ECGLAB_CPU_HUGE_PAGES")) gHugePages = std::string(env) != "0";
    if (mb == 0) return;  // glibc as libtorch ships it
    keepGlibcMemory();
    gAllocator = new CachingCpuAllocator(mb << 20);
    // Priority above the default registration (0), so libtorch's later registrations do not displace it.
    c10::SetCPUAllocator(gAllocator, 100);
  });
}

const std::vector<OpDef> kAllocatorOps = {
    // cpuAllocatorStats() -> { enabled, cachedBytes, liveBytes, cachedBlocks, hits, misses, limitBytes }
    OP(cpuAllocatorStats) {
      auto o = Napi::Object::New(a.env());
      o.Set("enabled", gAllocator != nullptr);
      auto s = gAllocator ? gAllocator->stats() : CachingCpuAllocator::Stats{0, 0, 0, 0, 0, 0};
      o.Set("cachedBytes", static_cast<double>(s.cached));
      o.Set("liveBytes", static_cast<double>(s.live));
      o.Set("cachedBlocks", static_cast<double>(s.blocksCached));
      o.Set("hits", static_cast<double>(s.hits));
      o.Set("misses", static_cast<double>(s.misses));
      o.Set("limitBytes", static_cast<double>(s.limit));
      o.Set("hugePages", gAllocator != nullptr && gHugePages);
      return o;
    } END_OP,
    OP(emptyCache) {
      if (gAllocator) gAllocator->emptyCache();
      return a.env().Undefined();
    } END_OP,
};

}  // namespace ecg
