// Tensor creation and I/O between typed arrays and tensors, plus the metadata getters.
#include "common.h"

#include <cstring>

namespace ecg {

namespace {

at::ScalarType typedArrayDType(napi_typedarray_type t, const Args& a, size_t i) {
  switch (t) {
    case napi_float32_array: return at::kFloat;
    case napi_float64_array: return at::kDouble;
    case napi_bigint64_array: return at::kLong;
    case napi_int32_array: return at::kInt;
    case napi_uint8_array:
    case napi_uint8_clamped_array: return at::kByte;
    case napi_int8_array: return at::kChar;
    case napi_int16_array: return at::kShort;
    default: a.fail(i, "a Float32Array, Float64Array, BigInt64Array, Int32Array or Uint8Array");
  }
}

at::Tensor finish(at::Tensor t, const Args& a, size_t rgIdx) {
  if (a.has(rgIdx) && a.B(rgIdx)) t.requires_grad_(true);
  return t;
}

// Copies a tensor's elements into a fresh ArrayBuffer and returns the matching typed array.
Napi::Value toTypedArray(const Args& a, at::Tensor t) {
  t = t.detach();
  if (t.device().type() != at::kCPU) t = t.to(at::kCPU);
  if (t.scalar_type() == at::kBool) t = t.to(at::kByte);
  if (t.scalar_type() == at::kHalf || t.scalar_type() == at::kBFloat16) t = t.to(at::kFloat);
  t = t.contiguous();
  size_t n = static_cast<size_t>(t.numel());
  size_t bytes = n * t.element_size();
  auto buf = Napi::ArrayBuffer::New(a.env(), bytes);
  if (bytes > 0) std::memcpy(buf.Data(), t.data_ptr(), bytes);
  switch (t.scalar_type()) {
    case at::kFloat: return Napi::Float32Array::New(a.env(), n, buf, 0);
    case at::kDouble: return Napi::Float64Array::New(a.env(), n, buf, 0);
    case at::kLong: return Napi::TypedArrayOf<int64_t>::New(a.env(), n, buf, 0, napi_bigint64_array);
    case at::kInt: return Napi::Int32Array::New(a.env(), n, buf, 0);
    case at::kByte: return Napi::Uint8Array::New(a.env(), n, buf, 0);
    case at::kChar: return Napi::Int8Array::New(a.env(), n, buf, 0);
    case at::kShort: return Napi::Int16Array::New(a.env(), n, buf, 0);
    default: throw std::invalid_argument("toArray: unsupported dtype " + dtypeName(t.scalar_type()));
  }
}

}  // namespace

// Signatures (JS side): zeros(shape, dtype?, device?, requiresGrad?) and the like.
const std::vector<OpDef> kCreationOps = {
    OP(zeros) { RET(finish(at::zeros(a.IL(0), a.options(1, 2)), a, 3)); } END_OP,
    OP(ones) { RET(finish(at::ones(a.IL(0), a.options(1, 2)), a, 3)); } END_OP,
    OP(empty) { RET(finish(at::empty(a.IL(0), a.options(1, 2)), a, 3)); } END_OP,
    OP(full) { RET(finish(at::full(a.IL(0), a.S(1), a.options(2, 3)), a, 4)); } END_OP,
    OP(randn) { RET(finish(at::randn(a.IL(0), a.options(1, 2)), a, 3)); } END_OP,
    OP(rand) { RET(finish(at::rand(a.IL(0), a.options(1, 2)), a, 3)); } END_OP,
    OP(randint) { RET(at::randint(a.I(0), a.I(1), a.IL(2), a.options(3, 4))); } END_OP,
    OP(randperm) { RET(at::randperm(a.I(0), a.options(1, 2))); } END_OP,
    // arange(start, end, step, dtype?, device?, requiresGrad?)
    OP(arange) { RET(finish(at::arange(a.S(0), a.S(1), a.S(2), a.options(3, 4)), a, 5)); } END_OP,
    OP(linspace) { RET(at::linspace(a.S(0), a.S(1), a.I(2), a.options(3, 4))); } END_OP,
    OP(eye) { RET(at::eye(a.I(0), a.options(1, 2))); } END_OP,
    // fromArray(typedArray, shape, dtype?, device?, requiresGrad?): from_blob over JS memory is only valid
    // during this synchronous call, so the data are cloned before returning.
    OP(fromArray) {
      if (a.size() < 1 || !a.info[0].IsTypedArray()) a.fail(0, "a typed array");
      auto ta = a.info[0].As<Napi::TypedArray>();
      at::ScalarType src = typedArrayDType(ta.TypedArrayType(), a, 0);
      std::vector<int64_t> shape = a.IL(1);
      int64_t n = 1;
      for (int64_t s : shape) {
        if (s < 0) a.fail(1, "a shape of non-negative sizes");
        n *= s;
      }
      if (n != static_cast<int64_t>(ta.ElementLength())) {
        throw std::invalid_argument("the array has " + std::to_string(ta.ElementLength()) +
                                    " elements but shape " + c10::str(at::IntArrayRef(shape)) + " needs " +
                                    std::to_string(n));
      }
      auto* data = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
      at::Tensor t = at::from_blob(data, shape, at::TensorOptions().dtype(src)).clone();
      at::ScalarType dst = a.has(2) ? parseDType(a.Str(2)) : src;
      if (dst != src) t = t.to(dst);
      if (a.has(3)) t = t.to(parseDevice(a.Str(3)));
      RET(finish(t, a, 4));
    } END_OP,
    OP(toArray) { return toTypedArray(a, a.T(0)); } END_OP,
    OP(item) {
      at::Tensor t = a.T(0);
      if (t.numel() != 1) {
        throw std::invalid_argument("a tensor with " + std::to_string(t.numel()) +
                                    " elements cannot be converted to a number (expected exactly 1)");
      }
      return num(a, t.item<double>());
    } END_OP,
    OP(shape) {
      at::Tensor t = a.T(0);
      auto arr = Napi::Array::New(a.env(), t.dim());
      for (int64_t d = 0; d < t.dim(); d++) arr.Set(static_cast<uint32_t>(d), Napi::Number::New(a.env(), t.size(d)));
      return arr;
    } END_OP,
    OP(dtype) { return Napi::String::New(a.env(), dtypeName(a.T(0).scalar_type())); } END_OP,
    OP(device) { return Napi::String::New(a.env(), deviceName(a.T(0).device())); } END_OP,
};

}  // namespace ecg
