// Shared by distributed.cc (process groups, collectives) and gradient_sync.cc (all-reduce overlapped with backward).
#pragma once

#include "common.h"

// Debian's libtorch is built with Gloo (libtorch_cpu exports ProcessGroupGloo), but its header hides the class
// unless the build says so; defined here rather than in binding.gyp so the other files compile unchanged.
#define USE_C10D_GLOO 1

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>

#include <string>
#include <vector>

namespace ecg {

// What a JS process-group handle points at.
struct Group {
  c10::intrusive_ptr<c10d::Store> store;  // the "default_pg" view of the rendezvous store
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
  // Each rank's "<hostname> <pid>" (empty for this rank and for PyTorch peers).
  std::vector<std::string> peerProcesses;
};

// The group behind argument i; throws if it is not a group handle or was destroyed.
Group* groupOf(const Args& a, size_t i);

// A Promise settled once every one of `works` has completed (on Gloo's threads), through a thread-safe function:
// rejected with the first failure (or `error`, when not empty), else resolved with `outputs` as tensor handles
// when `returnOutputs`, or undefined. Holds the works until then; with no works it settles at once.
Napi::Value settleAll(Napi::Env env, const char* name, std::vector<c10::intrusive_ptr<c10d::Work>> works,
                      std::string error = "", std::vector<at::Tensor> outputs = {}, bool returnOutputs = false);

}  // namespace ecg
