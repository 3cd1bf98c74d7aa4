// Runtime settings: intra-op threads, seeds, devices.
#include "common.h"

#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>

#include <cstdlib>
#include <thread>

namespace ecg {

void initRuntime() {
  // libtorch starts with half the cores here; use all of them, or ECGLAB_NUM_THREADS when set (on cores shared
  // with other processes one thread can be faster: an OpenMP team waits on descheduled members).
  // Setting rebuilds the pool, so only on change.
  int n = static_cast<int>(std::thread::hardware_concurrency());
  if (const char* env = std::getenv("ECGLAB_NUM_THREADS")) {
    int v = std::atoi(env);
    if (v > 0) n = v;
  }
  if (n > 0 && at::get_num_threads() != n) at::set_num_threads(n);
}

const std::vector<OpDef> kRuntimeOps = {
    OP(setNumThreads) {
      int64_t n = a.I(0);
      if (n < 1) a.fail(0, "a thread count >= 1");
      if (at::get_num_threads() != n) at::set_num_threads(static_cast<int>(n));
      return a.env().Undefined();
    } END_OP,
    OP(getNumThreads) { return num(a, at::get_num_threads()); } END_OP,
    OP(manualSeed) {
      double s = a.D(0);
      if (s < 0 || s != static_cast<double>(static_cast<uint64_t>(s))) a.fail(0, "a non-negative integer seed");
      at::manual_seed(static_cast<uint64_t>(s));
      return a.env().Undefined();
    } END_OP,
    OP(cudaIsAvailable) { return boolean(a, at::hasCUDA()); } END_OP,
    OP(hardwareConcurrency) { return num(a, std::thread::hardware_concurrency()); } END_OP,
    // CPU autocast (per thread, as grad mode): inside a scope, ops on libtorch's lower-precision list (convolutions,
    // matmul, linear...) run in the scope's dtype and those on its fp32 list (losses...) in float32; parameters stay
    // float32. autocastEnter(dtype) -> [previous enabled, previous dtype]; autocastExit(enabled, dtype) restores them
    // and, when the outermost scope ends, drops the cache of parameters already cast in it.
    OP(autocastEnter) {
      Napi::Array prev = Napi::Array::New(a.env(), 2);
      prev.Set(0u, at::autocast::is_cpu_enabled());
      prev.Set(1u, dtypeName(at::autocast::get_autocast_cpu_dtype()));
      at::ScalarType dt = parseDType(a.Str(0));
      if (dt != at::kBFloat16) a.fail(0, "'bfloat16' (libtorch 1.13's CPU autocast supports bfloat16 only)");
      at::autocast::set_autocast_cpu_dtype(dt);
      at::autocast::set_cpu_enabled(true);
      at::autocast::increment_nesting();
      return prev;
    } END_OP,
    OP(autocastExit) {
      if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
      at::autocast::set_cpu_enabled(a.B(0));
      at::autocast::set_autocast_cpu_dtype(parseDType(a.Str(1)));
      return a.env().Undefined();
    } END_OP,
    OP(autocastEnabled) { return boolean(a, at::autocast::is_cpu_enabled()); } END_OP,
};

}  // namespace ecg
