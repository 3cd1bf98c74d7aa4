// Gradient all-reduce overlapped with backward, as DDP's Reducer does it: a post-hook on each parameter's
// AccumulateGrad node notes when its gradient is final; once every gradient of a bucket is, the bucket's all-reduce
// is enqueued on Gloo's threads while backward goes on with the earlier layers. Buckets are launched strictly in
// order, so every rank issues the same collectives in the same order even if its backward visits them differently.
#include "distributed.h"

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/utils/lambda_post_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <mutex>

namespace ecg {

namespace {

const napi_type_tag kSyncTag = {0x6563676c61625f67ULL, 0x7261645f73796e63ULL};

class GradientSync {
 public:
  GradientSync(c10::intrusive_ptr<c10d::ProcessGroupGloo> pg, std::vector<at::Tensor> params,
               std::vector<std::vector<size_t>> buckets)
      : pg_(std::move(pg)), params_(std::move(params)), buckets_(std::move(buckets)), bucketOf_(params_.size()) {
    for (size_t b = 0; b < buckets_.size(); b++) {
      for (size_t i : buckets_[b]) bucketOf_.at(i) = b;
    }
    reset();
    for (size_t i = 0; i < params_.size(); i++) {
      // The accumulator is held only weakly by the parameter; keep it alive so that backward uses this very node.
      auto acc = torch::autograd::impl::grad_accumulator(params_[i]);
      TORCH_CHECK(acc, "parameter ", i, " has no gradient accumulator (it must be a leaf that requires grad)");
      auto key = acc->add_post_hook(std::make_unique<torch::autograd::utils::LambdaPostHook>(
          [this, i](const torch::autograd::variable_list& outputs, const torch::autograd::variable_list&) {
            ready(i);
            return outputs;
          }));
      hooks_.emplace_back(acc, key);
    }
  }

  ~GradientSync() {
    for (auto& [acc, key] : hooks_) acc->del_post_hook(key);
  }

  void setEnabled(bool on) {
    std::lock_guard<std::mutex> lock(m_);
    enabled_ = on;
  }

  size_t launched() {
    std::lock_guard<std::mutex> lock(m_);
    return next_;
  }

  // After backward: zero-fills the gradients that never came (unused parameters), launches what is left in order,
  // and hands over this step's collectives (and any error from launching them); the next backward starts afresh.
  std::pair<std::vector<c10::intrusive_ptr<c10d::Work>>, std::string> finish() {
    std::lock_guard<std::mutex> lock(m_);
    for (size_t b = next_; b < buckets_.size(); b++) {
      for (size_t i : buckets_[b]) {
        if (!isReady_[i] && !params_[i].grad().defined()) {
          params_[i].mutable_grad() = at::zeros_like(params_[i], at::MemoryFormat::Contiguous);
        }
      }
      pending_[b] = 0;
    }
    launchReady();
    auto out = std::make_pair(std::move(works_), std::move(error_));
    reset();
    return out;
  }

 private:
  void reset() {
    works_.clear();
    error_.clear();
    next_ = 0;
    isReady_.assign(params_.size(), false);
    pending_.resize(buckets_.size());
    for (size_t b = 0; b < buckets_.size(); b++) pending_[b] = buckets_[b].size();
  }

  // Runs inside backward, on the thread that runs AccumulateGrad.
  void ready(size_t i) {
    std::lock_guard<std::mutex> lock(m_);
    if (!enabled_ || isReady_[i]) return;
    isReady_[i] = true;
    pending_[bucketOf_[i]]--;
    launchReady();
  }

  void launchReady() {
    while (next_ < buckets_.size() && pending_[next_] == 0) {
      std::vector<at::Tensor> grads;
      for (size_t i : buckets_[next_]) grads.push_back(params_[i].grad());
      next_++;
      try {
        c10d::AllreduceCoalescedOptions o;
        o.reduceOp = c10d::ReduceOp(c10d::ReduceOp::SUM);
        works_.push_back(pg_->allreduce_coalesced(grads, o));
      } catch (...) {
        // Not thrown through backward: reported by finish(), which the caller awaits.
        if (error_.empty()) error_ = "bucket " + std::to_string(next_ - 1) + ": " + describeException(std::current_exception());
      }
    }
  }

  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg_;
  std::vector<at::Tensor> params_;
  std::vector<std::vector<size_t>> buckets_;  // parameter indices, in launch order
  std::vector<size_t> bucketOf_;
  std::vector<std::pair<std::shared_ptr<torch::autograd::Node>, uintptr_t>> hooks_;
  std::mutex m_;
  bool enabled_ = true;
  std::vector<bool> isReady_;
  std::vector<size_t> pending_;  // per bucket: gradients not final yet
  size_t next_ = 0;              // the next bucket to launch
  std::vector<c10::intrusive_ptr<c10d::Work>> works_;
  std::string error_;
};

void finalizeSync(napi_env /*env*/, void* data, void* /*hint*/) { delete static_cast<GradientSync*>(data); }

GradientSync* syncOf(const Args& a, size_t i) {
  if (i >= a.size() || a.info[i].Type() != napi_object || !a.info[i].As<Napi::Object>().CheckTypeTag(&kSyncTag)) {
    a.fail(i, "a gradient sync handle");
  }
  void* data = nullptr;
  if (napi_unwrap(a.env(), a.info[i], &data) != napi_ok || data == nullptr) {
    throw std::invalid_argument("the gradient sync was disposed");
  }
  return static_cast<GradientSync*>(data);
}

std::vector<std::vector<size_t>> bucketsArg(const Args& a, size_t i, size_t params) {
  if (i >= a.size() || !a.info[i].IsArray()) a.fail(i, "an array of arrays of parameter indices");
  auto outer = a.info[i].As<Napi::Array>();
  std::vector<std::vector<size_t>> out(outer.Length());
  std::vector<bool> seen(params, false);
  for (uint32_t b = 0; b < outer.Length(); b++) {
    Napi::Value v = outer.Get(b);
    if (!v.IsArray()) a.fail(i, "an array of arrays of parameter indices");
    auto inner = v.As<Napi::Array>();
    for (uint32_t k = 0; k < inner.Length(); k++) {
      Napi::Value x = inner.Get(k);
      double d = x.IsNumber() ? x.As<Napi::Number>().DoubleValue() : -1;
      if (d < 0 || d >= static_cast<double>(params) || d != static_cast<double>(static_cast<size_t>(d)) ||
          seen[static_cast<size_t>(d)]) {
        a.fail(i, "buckets that hold each parameter index exactly once");
      }
      seen[static_cast<size_t>(d)] = true;
      out[b].push_back(static_cast<size_t>(d));
    }
  }
  for (bool s : seen) {
    if (!s) a.fail(i, "buckets that hold each parameter index exactly once");
  }
  return out;
}

}  // namespace

const std::vector<OpDef> kGradientSyncOps = {
    // (group, params[], buckets: number[][]) -> handle; hooks stay on the parameters until gradSyncDispose
    OP(gradSyncCreate) {
      Group* g = groupOf(a, 0);
      std::vector<at::Tensor> params = a.TL(1);
      auto buckets = bucketsArg(a, 2, params.size());
      auto* sync = new GradientSync(g->pg, std::move(params), std::move(buckets));
      Napi::Object obj = Napi::Object::New(a.env());
      if (napi_wrap(a.env(), obj, sync, finalizeSync, nullptr, nullptr) != napi_ok) {
        delete sync;
        throw Napi::Error::New(a.env(), "could not create a gradient sync handle");
      }
      obj.TypeTag(&kSyncTag);
      return obj;
    } END_OP,
    // (handle) -> Promise<void>: this step's all-reduces (sums) have finished
    OP(gradSyncFinish) {
      auto [works, error] = syncOf(a, 0)->finish();
      return settleAll(a.env(), a.fn, std::move(works), std::move(error));
    } END_OP,
    // (handle) -> number: buckets launched so far in this step (during backward, before finish)
    OP(gradSyncLaunched) { return num(a, static_cast<double>(syncOf(a, 0)->launched())); } END_OP,
    // (handle, enabled): while disabled, backward launches nothing (gradient accumulation, extra backward passes)
    OP(gradSyncSetEnabled) {
      syncOf(a, 0)->setEnabled(a.B(1));
      return a.env().Undefined();
    } END_OP,
    // (handle): removes the hooks; idempotent
    OP(gradSyncDispose) {
      void* data = nullptr;
      if (napi_remove_wrap(a.env(), a.info[0], &data) == napi_ok && data != nullptr) {
        delete static_cast<GradientSync*>(data);
      }
      return a.env().Undefined();
    } END_OP,
};

}  // namespace ecg
