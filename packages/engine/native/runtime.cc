// Runtime settings: intra-op threads, seeds, devices.
#include "common.h"

#include <ATen/Parallel.h>

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
};

}  // namespace ecg
