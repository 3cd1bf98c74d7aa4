// Autograd entry points: backward, torch.autograd.grad, the .grad field, requires_grad and the grad mode.
// Autograd itself stays inside libtorch; JS only holds handles.
#include "common.h"

#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>

namespace ecg {

namespace {

// An array of handles where null/undefined entries mean "no tensor" (e.g. a missing grad output).
std::vector<at::Tensor> optionalList(const Args& a, size_t i) {
  if (!a.has(i)) return {};
  if (!a.info[i].IsArray()) a.fail(i, "an array of tensor handles or nulls");
  auto arr = a.info[i].As<Napi::Array>();
  std::vector<at::Tensor> out(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value v = arr.Get(k);
    if (v.IsNull() || v.IsUndefined()) continue;
    out[k] = a.fromValue(v, i, k);
  }
  return out;
}

Napi::Value wrapOptionalList(Napi::Env env, const std::vector<at::Tensor>& ts) {
  auto arr = Napi::Array::New(env, ts.size());
  for (size_t i = 0; i < ts.size(); i++) {
    arr.Set(static_cast<uint32_t>(i), ts[i].defined() ? wrap(env, ts[i]) : env.Null());
  }
  return arr;
}

}  // namespace

const std::vector<OpDef> kAutogradOps = {
    // backward(x, gradient?, retainGraph?, createGraph)
    OP(backward) {
      at::Tensor g = a.has(1) ? a.T(1) : at::Tensor();
      c10::optional<bool> retain = a.has(2) ? c10::optional<bool>(a.B(2)) : c10::nullopt;
      torch::autograd::backward({a.T(0)}, {g}, retain, a.B(3));
      return a.env().Undefined();
    } END_OP,
    // grad(outputs[], inputs[], gradOutputs[]?, retainGraph?, createGraph, allowUnused) -> (handle | null)[]
    OP(grad) {
      c10::optional<bool> retain = a.has(3) ? c10::optional<bool>(a.B(3)) : c10::nullopt;
      auto r = torch::autograd::grad(a.TL(0), a.TL(1), optionalList(a, 2), retain, a.B(4), a.B(5));
      return wrapOptionalList(a.env(), r);
    } END_OP,
    OP(gradOf) {
      const at::Tensor& g = a.T(0).grad();
      return g.defined() ? wrap(a.env(), g) : a.env().Null();
    } END_OP,
    // Identity of the current .grad tensor (0 if none), so TS can reuse its cached handle.
    OP(gradId) {
      const at::Tensor& g = a.T(0).grad();
      return num(a, g.defined() ? static_cast<double>(reinterpret_cast<uintptr_t>(g.unsafeGetTensorImpl())) : 0);
    } END_OP,
    OP(setGrad) {
      a.T(0).mutable_grad() = a.has(1) ? a.T(1) : at::Tensor();
      return a.env().Undefined();
    } END_OP,
    OP(requiresGrad) { return boolean(a, a.T(0).requires_grad()); } END_OP,
    OP(requiresGrad_) { a.T(0).requires_grad_(a.B(1)); return a.env().Undefined(); } END_OP,
    OP(isLeaf) { return boolean(a, a.T(0).is_leaf()); } END_OP,
    OP(retainGrad) { a.T(0).retain_grad(); return a.env().Undefined(); } END_OP,
    // Grad mode is thread-local in libtorch; JS scopes toggle it and restore it in `finally`.
    OP(setGradEnabled) { c10::GradMode::set_enabled(a.B(0)); return a.env().Undefined(); } END_OP,
    OP(isGradEnabled) { return boolean(a, c10::GradMode::is_enabled()); } END_OP,
};

}  // namespace ecg
