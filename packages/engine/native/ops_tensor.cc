// The tensor op table: views and indexing, elementwise maths, reductions, linear algebra, conversion and the
// in-place updates optimizers need. Each row calls one at:: function so autograd comes from libtorch.
// Hand-written rather than generated: a few lines per op with JS-friendly argument order was quicker to
// review than a generator's skip/rename policy for ~120 ops.
#include "common.h"

namespace ecg {

namespace {

// The second operand of a binary op may be a tensor handle or a plain number (kept as a "wrapped number",
// so `int64 tensor * 0.5` promotes to float as in PyTorch).
at::Tensor other(const Args& a, size_t i) {
  if (a.isNumber(i) || (i < a.size() && a.info[i].IsBoolean())) {
    return at::scalar_tensor(a.S(i), at::TensorOptions().dtype(a.isNumber(i) ? at::kDouble : at::kBool));
  }
  return a.T(i);
}

// Binary ops route numbers through the Scalar overloads so type promotion matches PyTorch.
#define BINARY(name, fn)                                      \
  OP(name) {                                                  \
    if (a.isNumber(1)) RET(at::fn(a.T(0), a.S(1)));           \
    RET(at::fn(a.T(0), a.T(1)));                              \
  } END_OP
#define UNARY(name, fn) OP(name) { RET(at::fn(a.T(0))); } END_OP

// Optional list of dims: undefined/null means "all dims".
at::OptionalIntArrayRef dims(const Args& a, size_t i, std::vector<int64_t>& store) {
  if (!a.has(i)) return c10::nullopt;
  store = a.IL(i);
  return at::IntArrayRef(store);
}

}  // namespace

const std::vector<OpDef> kTensorOps = {
    // ---- views and indexing ----
    OP(reshape) { RET(a.T(0).reshape(a.IL(1))); } END_OP,
    OP(view) { RET(a.T(0).view(a.IL(1))); } END_OP,
    OP(flatten) { RET(a.T(0).flatten(a.I(1), a.I(2))); } END_OP,
    OP(permute) { RET(a.T(0).permute(a.IL(1))); } END_OP,
    OP(transpose) { RET(a.T(0).transpose(a.I(1), a.I(2))); } END_OP,
    OP(t) { RET(a.T(0).t()); } END_OP,
    OP(squeeze) { RET(a.has(1) ? a.T(0).squeeze(a.I(1)) : a.T(0).squeeze()); } END_OP,
    OP(unsqueeze) { RET(a.T(0).unsqueeze(a.I(1))); } END_OP,
    OP(expand) { RET(a.T(0).expand(a.IL(1))); } END_OP,
    OP(repeat) { RET(a.T(0).repeat(a.IL(1))); } END_OP,
    OP(flip) { RET(a.T(0).flip(a.IL(1))); } END_OP,
    OP(roll) { RET(a.T(0).roll(a.IL(1), a.IL(2))); } END_OP,
    // slice(x, dim, start, end?, step)
    OP(slice) { RET(a.T(0).slice(a.I(1), a.OI(2), a.OI(3), a.I(4))); } END_OP,
    OP(select) { RET(a.T(0).select(a.I(1), a.I(2))); } END_OP,
    OP(narrow) { RET(a.T(0).narrow(a.I(1), a.I(2), a.I(3))); } END_OP,
    OP(indexSelect) { RET(a.T(0).index_select(a.I(1), a.T(2))); } END_OP,
    OP(gather) { RET(a.T(0).gather(a.I(1), a.T(2))); } END_OP,
    OP(scatter) { RET(a.T(0).scatter(a.I(1), a.T(2), a.T(3))); } END_OP,
    OP(maskedSelect) { RET(a.T(0).masked_select(a.T(1))); } END_OP,
    OP(maskedFill) { RET(a.T(0).masked_fill(a.T(1), a.S(2))); } END_OP,
    OP(contiguous) { RET(a.T(0).contiguous()); } END_OP,
    OP(chunk) { return wrapList(a.env(), a.T(0).chunk(a.I(1), a.I(2))); } END_OP,
    OP(split) { return wrapList(a.env(), a.T(0).split(a.I(1), a.I(2))); } END_OP,
    OP(splitWithSizes) { return wrapList(a.env(), a.T(0).split_with_sizes(a.IL(1), a.I(2))); } END_OP,
    OP(cat) { RET(at::cat(a.TL(0), a.I(1))); } END_OP,
    OP(stack) { RET(at::stack(a.TL(0), a.I(1))); } END_OP,
    OP(tril) { RET(a.T(0).tril(a.I(1))); } END_OP,
    OP(triu) { RET(a.T(0).triu(a.I(1))); } END_OP,
    OP(where) { RET(at::where(a.T(0), other(a, 1), other(a, 2))); } END_OP,

    // ---- elementwise ----
    BINARY(add, add), BINARY(sub, sub), BINARY(mul, mul), BINARY(div, div), BINARY(pow, pow),
    BINARY(remainder, remainder), BINARY(eq, eq), BINARY(ne, ne), BINARY(lt, lt), BINARY(le, le), BINARY(gt, gt),
    BINARY(ge, ge),
    OP(maximum) { RET(at::maximum(a.T(0), other(a, 1))); } END_OP,
    OP(minimum) { RET(at::minimum(a.T(0), other(a, 1))); } END_OP,
    OP(logicalAnd) { RET(at::logical_and(a.T(0), other(a, 1))); } END_OP,
    OP(logicalOr) { RET(at::logical_or(a.T(0), other(a, 1))); } END_OP,
    OP(atan2) { RET(at::atan2(a.T(0), a.T(1))); } END_OP,
    UNARY(neg, neg), UNARY(abs, abs), UNARY(exp, exp), UNARY(expm1, expm1), UNARY(log, log), UNARY(log1p, log1p),
    UNARY(sqrt, sqrt), UNARY(rsqrt, rsqrt), UNARY(sin, sin), UNARY(cos, cos), UNARY(sign, sign),
    UNARY(square, square), UNARY(reciprocal, reciprocal), UNARY(floor, floor), UNARY(ceil, ceil),
    UNARY(round, round), UNARY(logicalNot, logical_not), UNARY(isnan, isnan), UNARY(isfinite, isfinite),
    UNARY(relu, relu), UNARY(sigmoid, sigmoid), UNARY(tanh, tanh), UNARY(logSigmoid, log_sigmoid),
    UNARY(softplus, softplus), UNARY(silu, silu), UNARY(elu, elu),
    OP(clamp) { RET(at::clamp(a.T(0), a.OS(1), a.OS(2))); } END_OP,
    OP(gelu) { RET(at::gelu(a.T(0), a.has(1) ? a.Str(1) : "none")); } END_OP,
    OP(leakyRelu) { RET(at::leaky_relu(a.T(0), a.S(1))); } END_OP,
    OP(softmax) { RET(at::softmax(a.T(0), a.I(1))); } END_OP,
    OP(logSoftmax) { RET(at::log_softmax(a.T(0), a.I(1))); } END_OP,

    // ---- reductions: (x, dims?, keepdim) ----
    OP(sum) { std::vector<int64_t> s; RET(at::sum(a.T(0), dims(a, 1, s), a.B(2))); } END_OP,
    OP(mean) { std::vector<int64_t> s; RET(at::mean(a.T(0), dims(a, 1, s), a.B(2))); } END_OP,
    OP(prod) { RET(a.has(1) ? at::prod(a.T(0), a.I(1), a.B(2)) : at::prod(a.T(0))); } END_OP,
    // std/var(x, dims?, unbiased, keepdim)
    OP(std) { std::vector<int64_t> s; RET(at::std(a.T(0), dims(a, 1, s), a.B(2), a.B(3))); } END_OP,
    OP(var) { std::vector<int64_t> s; RET(at::var(a.T(0), dims(a, 1, s), a.B(2), a.B(3))); } END_OP,
    OP(amax) { RET(a.has(1) ? at::amax(a.T(0), a.IL(1), a.B(2)) : at::max(a.T(0))); } END_OP,
    OP(amin) { RET(a.has(1) ? at::amin(a.T(0), a.IL(1), a.B(2)) : at::min(a.T(0))); } END_OP,
    OP(maxDim) {
      auto r = at::max(a.T(0), a.I(1), a.B(2));
      return wrapList(a.env(), {std::get<0>(r), std::get<1>(r)});
    } END_OP,
    OP(minDim) {
      auto r = at::min(a.T(0), a.I(1), a.B(2));
      return wrapList(a.env(), {std::get<0>(r), std::get<1>(r)});
    } END_OP,
    OP(argmax) { RET(at::argmax(a.T(0), a.OI(1), a.B(2))); } END_OP,
    OP(argmin) { RET(at::argmin(a.T(0), a.OI(1), a.B(2))); } END_OP,
    // norm(x, p, dims?, keepdim)
    OP(norm) {
      if (!a.has(2)) RET(at::norm(a.T(0), a.S(1)));
      RET(at::norm(a.T(0), a.OS(1), a.IL(2), a.B(3)));
    } END_OP,
    OP(logsumexp) { RET(at::logsumexp(a.T(0), a.IL(1), a.B(2))); } END_OP,
    OP(cumsum) { RET(at::cumsum(a.T(0), a.I(1))); } END_OP,
    OP(all) { RET(at::all(a.T(0))); } END_OP,
    OP(any) { RET(at::any(a.T(0))); } END_OP,
    OP(equal) { return boolean(a, at::equal(a.T(0), a.T(1))); } END_OP,
    OP(allclose) { return boolean(a, at::allclose(a.T(0), a.T(1), a.D(2), a.D(3))); } END_OP,

    // ---- linear algebra ----
    OP(matmul) { RET(at::matmul(a.T(0), a.T(1))); } END_OP,
    OP(mm) { RET(at::mm(a.T(0), a.T(1))); } END_OP,
    OP(bmm) { RET(at::bmm(a.T(0), a.T(1))); } END_OP,
    OP(dot) { RET(at::dot(a.T(0), a.T(1))); } END_OP,
    OP(outer) { RET(at::outer(a.T(0), a.T(1))); } END_OP,

    // ---- conversion ----
    // to(x, dtype?, device?)
    OP(to) {
      at::Tensor t = a.T(0);
      if (a.has(2)) t = t.to(parseDevice(a.Str(2)));
      if (a.has(1)) t = t.to(parseDType(a.Str(1)));
      RET(t);
    } END_OP,
    OP(clone) { RET(a.T(0).clone()); } END_OP,
    OP(detach) { RET(a.T(0).detach()); } END_OP,

    // ---- in-place updates (for optimizers and initialisers; call them under noGrad on parameters) ----
    // Each returns nothing: the caller keeps its own handle to the updated tensor.
    OP(add_) {
      if (a.isNumber(1)) a.T(0).add_(a.S(1));
      else a.T(0).add_(a.T(1), a.has(2) ? a.S(2) : at::Scalar(1));
      return a.env().Undefined();
    } END_OP,
    OP(sub_) {
      if (a.isNumber(1)) a.T(0).sub_(a.S(1));
      else a.T(0).sub_(a.T(1), a.has(2) ? a.S(2) : at::Scalar(1));
      return a.env().Undefined();
    } END_OP,
    OP(mul_) {
      if (a.isNumber(1)) a.T(0).mul_(a.S(1));
      else a.T(0).mul_(a.T(1));
      return a.env().Undefined();
    } END_OP,
    OP(div_) {
      if (a.isNumber(1)) a.T(0).div_(a.S(1));
      else a.T(0).div_(a.T(1));
      return a.env().Undefined();
    } END_OP,
    OP(addcmul_) { a.T(0).addcmul_(a.T(1), a.T(2), a.S(3)); return a.env().Undefined(); } END_OP,
    OP(addcdiv_) { a.T(0).addcdiv_(a.T(1), a.T(2), a.S(3)); return a.env().Undefined(); } END_OP,
    OP(lerp_) { a.T(0).lerp_(a.T(1), a.S(2)); return a.env().Undefined(); } END_OP,
    OP(copy_) { a.T(0).copy_(a.T(1)); return a.env().Undefined(); } END_OP,
    OP(zero_) { a.T(0).zero_(); return a.env().Undefined(); } END_OP,
    OP(fill_) { a.T(0).fill_(a.S(1)); return a.env().Undefined(); } END_OP,
    OP(clamp_) { a.T(0).clamp_(a.OS(1), a.OS(2)); return a.env().Undefined(); } END_OP,
    OP(maximum_) { at::Tensor x = a.T(0); at::maximum_out(x, x, a.T(1)); return a.env().Undefined(); } END_OP,
    OP(uniform_) { a.T(0).uniform_(a.D(1), a.D(2)); return a.env().Undefined(); } END_OP,
    OP(normal_) { a.T(0).normal_(a.D(1), a.D(2)); return a.env().Undefined(); } END_OP,
};

}  // namespace ecg
