// Hand-written tensor ops: the ones whose JS form needs logic a schema cannot express (most ops are generated
// from native_functions.yaml into generated/ops_generated.cc by tools/gen_ops.py, whose SKIPPED list says why
// these are here). Each row still calls at:: functions, so autograd comes from libtorch.
#include "common.h"

namespace ecg {

namespace {

// A number-or-tensor operand as a tensor. Numbers become 0-dim "wrapped numbers", which ATen promotes as
// Python scalars: they never widen a tensor's dtype, and a float number meeting ints gives the default float32.
at::Tensor other(const Args& a, size_t i) {
  if (a.isNumber(i) || (i < a.size() && a.info[i].IsBoolean())) {
    at::Scalar s = a.S(i);
    at::ScalarType st = s.isBoolean() ? at::kBool : s.isIntegral(false) ? at::kLong : at::kDouble;
    at::Tensor t = at::scalar_tensor(s, at::TensorOptions().dtype(st));
    t.unsafeGetTensorImpl()->set_wrapped_number(true);
    return t;
  }
  return a.T(i);
}

}  // namespace

const std::vector<OpDef> kTensorOps = {
    // squeeze(x, dim?): with no dim, every size-1 dim goes (two overloads)
    OP(squeeze) { RET(a.has(1) ? a.T(0).squeeze(a.I(1)) : a.T(0).squeeze()); } END_OP,
    OP(where) { RET(at::where(a.T(0), other(a, 1), other(a, 2))); } END_OP,
    OP(maximum) { RET(at::maximum(a.T(0), other(a, 1))); } END_OP,
    OP(minimum) { RET(at::minimum(a.T(0), other(a, 1))); } END_OP,
    OP(logicalAnd) { RET(at::logical_and(a.T(0), other(a, 1))); } END_OP,
    OP(logicalOr) { RET(at::logical_or(a.T(0), other(a, 1))); } END_OP,
    // amax/amin(x, dims?, keepdim): no dims means over everything
    OP(amax) { RET(a.has(1) ? at::amax(a.T(0), a.IL(1), a.B(2)) : at::max(a.T(0))); } END_OP,
    OP(amin) { RET(a.has(1) ? at::amin(a.T(0), a.IL(1), a.B(2)) : at::min(a.T(0))); } END_OP,
    OP(prod) { RET(a.has(1) ? at::prod(a.T(0), a.I(1), a.B(2)) : at::prod(a.T(0))); } END_OP,
    // norm(x, p, dims?, keepdim)
    OP(norm) {
      if (!a.has(2)) RET(at::norm(a.T(0), a.S(1)));
      RET(at::norm(a.T(0), a.OS(1), a.IL(2), a.B(3)));
    } END_OP,
    // to(x, dtype?, device?)
    OP(to) {
      at::Tensor t = a.T(0);
      if (a.has(2)) t = t.to(parseDevice(a.Str(2)));
      if (a.has(1)) t = t.to(parseDType(a.Str(1)));
      RET(t);
    } END_OP,
    // 1.13 has no in-place maximum_; write into the tensor itself.
    OP(maximum_) { at::Tensor x = a.T(0); at::maximum_out(x, x, a.T(1)); return a.env().Undefined(); } END_OP,
};

}  // namespace ecg
