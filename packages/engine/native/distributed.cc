// Process groups over libtorch's own c10d (ProcessGroupGloo over a TCPStore or FileStore) for data-parallel training.
//
// Rendezvous follows torch.distributed.init_process_group key for key (PrefixStore "default_pg", group "0", the
// store-based barrier, the sequence number), so PyTorch processes and ecglab processes join one group.
// Nothing here blocks the event loop: the rendezvous (blocking by design in c10d) runs on a libuv pool thread, and a
// collective is enqueued on Gloo's own worker threads; its completion future settles a JS Promise through a
// thread-safe function, so no thread of ours waits on the network.
#include "distributed.h"

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

namespace ecg {

namespace {

using std::chrono::milliseconds;

// Tags group handles so that a tensor handle (or any object) passed by mistake is rejected.
const napi_type_tag kGroupTag = {0x6563676c61625f64ULL, 0x6973745f67726f75ULL};

// Where and how to meet the other ranks: "tcp" (host, port) or "file" (path).
struct Rendezvous {
  std::string kind;
  std::string address;  // host for tcp, path for file
  int port = 0;
  int rank = 0;
  int size = 1;
  milliseconds timeout{0};
  bool hostStore = false;  // tcp: this rank serves the store (rank 0, unless torchrun's agent already does)
  std::string prefix;      // a namespace inside the store (torchrun's "/worker/attempt_N"), or empty
};

std::shared_ptr<::gloo::transport::Device> defaultDevice() {
  // As torch.distributed's ProcessGroupGloo binding: GLOO_SOCKET_IFNAME names the interface; otherwise the address
  // the hostname resolves to (Gloo falls back to loopback).
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname != nullptr && ifname[0] != '\0') {
    std::string first(ifname);
    first = first.substr(0, first.find(','));
    return c10d::ProcessGroupGloo::createDeviceForInterface(first);
  }
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// torch.distributed's _store_based_barrier: every rank adds one to a counter and waits until all have.
// init_process_group ends with it, so a PyTorch peer waits here for us too.
void storeBarrier(const c10::intrusive_ptr<c10d::Store>& store, const Rendezvous& r) {
  const std::string key = "store_based_barrier_key:1";  // _group_count is 1 once the default group exists
  store->add(key, 1);
  auto start = std::chrono::steady_clock::now();
  int64_t joined = store->add(key, 0);
  while (joined < r.size) {
    if (std::chrono::steady_clock::now() - start > r.timeout) {
      std::ostringstream msg;
      msg << "timed out after " << r.timeout.count() << " ms in the store barrier: " << joined << " of " << r.size
          << " ranks joined";
      throw std::runtime_error(msg.str());
    }
    std::this_thread::sleep_for(milliseconds(10));
    joined = store->add(key, 0);
  }
}

// Each rank leaves "<hostname> <pid>" in the store before the barrier, so that when a connection drops, the
// survivors can tell which rank on their machine is gone (Gloo's errors name a socket address, not a rank).
// PyTorch peers leave nothing; their entries stay empty.
const std::string kProcKey = "ecglab_proc/";

void publishProcess(const c10::intrusive_ptr<c10d::Store>& store, int rank) {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  std::string value = std::string(host) + " " + std::to_string(getpid());
  store->set(kProcKey + std::to_string(rank), std::vector<uint8_t>(value.begin(), value.end()));
}

std::vector<std::string> peerProcesses(const c10::intrusive_ptr<c10d::Store>& store, const Rendezvous& r) {
  std::vector<std::string> out(r.size);
  for (int n = 0; n < r.size; n++) {
    const std::string key = kProcKey + std::to_string(n);
    if (n == r.rank || !store->check({key})) continue;
    auto v = store->get(key);
    out[n] = std::string(v.begin(), v.end());
  }
  return out;
}

std::unique_ptr<Group> rendezvous(const Rendezvous& r) {
  c10::intrusive_ptr<c10d::Store> root;
  if (r.kind == "tcp") {
    // As torch.distributed's _create_c10d_store: rank 0 hosts the store (multi-tenant) and waits for the others;
    // under torchrun's agent store every rank is a client.
    c10d::TCPStoreOptions o;
    o.port = static_cast<std::uint16_t>(r.port);
    o.isServer = r.hostStore;
    o.numWorkers = static_cast<std::size_t>(r.size);
    o.waitWorkers = true;
    o.timeout = r.timeout;
    o.multiTenant = r.hostStore;
    try {
      root = c10::make_intrusive<c10d::TCPStore>(r.address, o);
    } catch (...) {
      // c10d's own messages ("Socket Timeout") do not say which side waited for what.
      std::ostringstream msg;
      msg << (o.isServer ? "hosting" : "joining") << " the TCP store at " << r.address << ":" << r.port << ", "
          << (o.isServer ? "waited for all " + std::to_string(r.size) + " ranks to connect"
                         : std::string("could not reach rank 0's store"))
          << " within " << r.timeout.count() << " ms: " << describeException(std::current_exception());
      throw std::runtime_error(msg.str());
    }
  } else if (r.kind == "file") {
    root = c10::make_intrusive<c10d::FileStore>(r.address, r.size);
  } else {
    throw std::invalid_argument("unknown store kind '" + r.kind + "' (expected tcp or file)");
  }
  root->setTimeout(r.timeout);
  if (!r.prefix.empty()) root = c10::make_intrusive<c10d::PrefixStore>(r.prefix, root);
  auto store = c10::make_intrusive<c10d::PrefixStore>("default_pg", root);
  auto groupStore = c10::make_intrusive<c10d::PrefixStore>("0", store);  // the default group is group "0"

  auto options = c10d::ProcessGroupGloo::Options::create(r.timeout);
  options->devices.push_back(defaultDevice());
  options->threads = 2;  // as PyTorch: two per device
  auto g = std::make_unique<Group>();
  g->store = store;
  try {
    g->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(groupStore, r.rank, r.size, options);
  } catch (...) {
    // Each rank publishes <group>/<device>/rank_N: a timed-out wait for that key means rank N never arrived.
    throw std::runtime_error("connecting to the other ranks (a missing key .../rank_N means rank N never arrived): " +
                             describeException(std::current_exception()));
  }
  publishProcess(store, r.rank);
  storeBarrier(store, r);
  g->peerProcesses = peerProcesses(store, r);
  g->pg->setSequenceNumberForGroup();
  return g;
}

void finalizeGroup(napi_env /*env*/, void* data, void* /*hint*/) { delete static_cast<Group*>(data); }

Napi::Value wrapGroup(Napi::Env env, std::unique_ptr<Group> g) {
  Napi::Object obj = Napi::Object::New(env);
  Group* raw = g.release();
  if (napi_wrap(env, obj, raw, finalizeGroup, nullptr, nullptr) != napi_ok) {
    delete raw;
    throw Napi::Error::New(env, "could not create a process group handle");
  }
  obj.TypeTag(&kGroupTag);
  return obj;
}

// Runs the blocking rendezvous on a libuv pool thread; resolves with a group handle.
class RendezvousWorker : public Napi::AsyncWorker {
 public:
  RendezvousWorker(Napi::Env env, Rendezvous r)
      : Napi::AsyncWorker(env, "ecglab.rendezvous"), deferred_(Napi::Promise::Deferred::New(env)), r_(std::move(r)) {}
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      group_ = rendezvous(r_);
    } catch (...) {
      SetError(describeException(std::current_exception()));
    }
  }
  void OnOK() override { deferred_.Resolve(wrapGroup(Env(), std::move(group_))); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Rendezvous r_;
  std::unique_ptr<Group> group_;
};

// Destroys a group off the event loop: ~ProcessGroupGloo drains its queue and joins Gloo's threads.
class DestroyWorker : public Napi::AsyncWorker {
 public:
  DestroyWorker(Napi::Env env, Group* g)
      : Napi::AsyncWorker(env, "ecglab.destroyProcessGroup"), deferred_(Napi::Promise::Deferred::New(env)), g_(g) {}
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      delete g_;
    } catch (...) {
      SetError(describeException(std::current_exception()));
    }
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Group* g_;
};

// ---- collectives: enqueue on Gloo, settle a Promise from Gloo's threads through a thread-safe function ----

struct Completion {
  Napi::Promise::Deferred deferred;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;  // kept until settled
  std::vector<at::Tensor> outputs;                     // resolved as tensor handles when `returnOutputs`
  bool returnOutputs = false;
  std::mutex m;
  size_t remaining = 0;
  std::string error;  // the first failure
};

void deliver(Napi::Env env, Napi::Function /*unused*/, void* /*context*/, Completion* c) {
  std::unique_ptr<Completion> owned(c);
  if (env == nullptr) return;  // the environment is shutting down
  if (!c->error.empty()) {
    c->deferred.Reject(Napi::Error::New(env, c->error).Value());
  } else if (c->returnOutputs) {
    c->deferred.Resolve(wrapList(env, c->outputs));
  } else {
    c->deferred.Resolve(env.Undefined());
  }
}

using Settler = Napi::TypedThreadSafeFunction<void, Completion, deliver>;

// Gloo reads and writes the tensor's memory in place, so it must be one dense CPU block.
at::Tensor denseArg(const Args& a, size_t i) {
  at::Tensor t = a.T(i);
  if (!t.is_contiguous()) a.fail(i, "a contiguous tensor (call .contiguous() first)");
  return t;
}

c10d::ReduceOp reduceOpOf(const Args& a, size_t i) {
  std::string op = a.Str(i);
  if (op == "sum") return c10d::ReduceOp(c10d::ReduceOp::SUM);
  if (op == "product") return c10d::ReduceOp(c10d::ReduceOp::PRODUCT);
  if (op == "min") return c10d::ReduceOp(c10d::ReduceOp::MIN);
  if (op == "max") return c10d::ReduceOp(c10d::ReduceOp::MAX);
  a.fail(i, "'sum', 'product', 'min' or 'max'");
}

}  // namespace

Group* groupOf(const Args& a, size_t i) {
  if (i >= a.size() || a.info[i].Type() != napi_object || !a.info[i].As<Napi::Object>().CheckTypeTag(&kGroupTag)) {
    a.fail(i, "a process group handle");
  }
  void* data = nullptr;
  if (napi_unwrap(a.env(), a.info[i], &data) != napi_ok || data == nullptr) {
    throw std::invalid_argument("the process group was destroyed");
  }
  return static_cast<Group*>(data);
}

Napi::Value settleAll(Napi::Env env, const char* name, std::vector<c10::intrusive_ptr<c10d::Work>> works,
                      std::string error, std::vector<at::Tensor> outputs, bool returnOutputs) {
  auto* c = new Completion{Napi::Promise::Deferred::New(env), std::move(works), std::move(outputs), returnOutputs, {},
                           0, std::move(error)};
  c->remaining = c->works.size();
  Napi::Promise promise = c->deferred.Promise();
  if (c->works.empty()) {
    deliver(env, Napi::Function(), nullptr, c);
    return promise;
  }
  Settler settler = Settler::New(env, name, 0, 1);
  for (const auto& work : std::vector<c10::intrusive_ptr<c10d::Work>>(c->works)) {
    work->getFuture()->addCallback([settler, c](c10::ivalue::Future& f) mutable {
      bool last = false;
      {
        std::lock_guard<std::mutex> lock(c->m);
        if (f.hasError() && c->error.empty()) c->error = describeException(f.exception_ptr());
        last = --c->remaining == 0;
      }
      if (last) {
        settler.NonBlockingCall(c);
        settler.Release();
      }
    });
  }
  return promise;
}

const std::vector<OpDef> kDistributedOps = {
    // (kind 'tcp'|'file', host or path, port, rank, worldSize, timeoutMs, hostStore, prefix) -> Promise<group>
    OP(distInit) {
      Rendezvous r{a.Str(0), a.Str(1), static_cast<int>(a.I(2)), static_cast<int>(a.I(3)), static_cast<int>(a.I(4)),
                   milliseconds(a.I(5)), a.B(6), a.Str(7)};
      auto* w = new RendezvousWorker(a.env(), std::move(r));
      Napi::Promise p = w->promise();
      w->Queue();  // the worker deletes itself after OnOK/OnError
      return p;
    } END_OP,
    // (group) -> Promise<void>; the handle is unusable at once.
    OP(distDestroy) {
      Group* g = groupOf(a, 0);
      void* data = nullptr;
      napi_remove_wrap(a.env(), a.info[0], &data);  // also cancels the finalizer
      auto* w = new DestroyWorker(a.env(), g);
      Napi::Promise p = w->promise();
      w->Queue();
      return p;
    } END_OP,
    // (group, tensor, op) -> Promise<void>; reduces in place
    OP(distAllReduce) {
      Group* g = groupOf(a, 0);
      std::vector<at::Tensor> ts{denseArg(a, 1)};
      c10d::AllreduceOptions o;
      o.reduceOp = reduceOpOf(a, 2);
      return settleAll(a.env(), a.fn, {g->pg->allreduce(ts, o)});
    } END_OP,
    // (group, tensors[], op) -> Promise<void>; one collective over many tensors of one dtype (Gloo flattens them)
    OP(distAllReduceCoalesced) {
      Group* g = groupOf(a, 0);
      std::vector<at::Tensor> ts = a.TL(1);
      for (const auto& t : ts) {
        if (!t.is_contiguous()) a.fail(1, "an array of contiguous tensors");
      }
      c10d::AllreduceCoalescedOptions o;
      o.reduceOp = reduceOpOf(a, 2);
      return settleAll(a.env(), a.fn, {g->pg->allreduce_coalesced(ts, o)});
    } END_OP,
    // (group, tensor, root) -> Promise<void>; overwrites the tensor with root's
    OP(distBroadcast) {
      Group* g = groupOf(a, 0);
      std::vector<at::Tensor> ts{denseArg(a, 1)};
      c10d::BroadcastOptions o;
      o.rootRank = a.I(2);
      return settleAll(a.env(), a.fn, {g->pg->broadcast(ts, o)});
    } END_OP,
    // (group, tensor) -> Promise<tensor[]>: one tensor per rank, in rank order
    OP(distAllGather) {
      Group* g = groupOf(a, 0);
      std::vector<at::Tensor> in{denseArg(a, 1)};
      std::vector<std::vector<at::Tensor>> out(1);
      for (int r = 0; r < g->pg->getSize(); r++) out[0].push_back(at::empty_like(in[0]));
      return settleAll(a.env(), a.fn, {g->pg->allgather(out, in)}, "", out[0], true);
    } END_OP,
    // (group) -> string[]: each rank's "<hostname> <pid>" ("" for this rank and for ranks that are not ecglab)
    OP(distPeerProcesses) {
      Group* g = groupOf(a, 0);
      auto arr = Napi::Array::New(a.env(), g->peerProcesses.size());
      for (size_t n = 0; n < g->peerProcesses.size(); n++) {
        arr.Set(static_cast<uint32_t>(n), Napi::String::New(a.env(), g->peerProcesses[n]));
      }
      return arr;
    } END_OP,
    // (group) -> Promise<void>
    OP(distBarrier) {
      Group* g = groupOf(a, 0);
      return settleAll(a.env(), a.fn, {g->pg->barrier()});
    } END_OP,
};

}  // namespace ecg
