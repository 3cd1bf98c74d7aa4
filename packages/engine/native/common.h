// Shared by every translation unit of the addon: tensor handles, argument readers and the op table entry.
// Each .cc file owns one job (handle.cc: handles + the one try/catch; creation.cc; ops_*.cc; autograd.cc;
// runtime.cc) and exports its functions as a static table of OpDef rows that handle.cc registers.
#pragma once

#include <napi.h>
#include <ATen/ATen.h>

#include <exception>
#include <string>
#include <vector>

namespace ecg {

// What a JS tensor handle (a tagged object, napi_wrap) points at. dispose() unwraps and deletes it; for handles
// never disposed, the finalizer does (a safety net).
struct Holder {
  at::Tensor t;
  int64_t bytes = 0;  // storage bytes counted in the handles' total that V8 is told about (handle.cc)
};

// Wraps a tensor as a new handle (with a finalizer as a safety net).
Napi::Value wrap(Napi::Env env, at::Tensor t);
Napi::Value wrapList(Napi::Env env, const std::vector<at::Tensor>& ts);

at::ScalarType parseDType(const std::string& s);
std::string dtypeName(at::ScalarType t);
at::Device parseDevice(const std::string& s);
std::string deviceName(const at::Device& d);

// Reads the arguments of one native call; errors name the function and the argument position.
struct Args {
  const Napi::CallbackInfo& info;
  const char* fn;

  Napi::Env env() const { return info.Env(); }
  size_t size() const { return info.Length(); }
  bool has(size_t i) const { return i < info.Length() && !info[i].IsUndefined() && !info[i].IsNull(); }
  bool isNumber(size_t i) const { return i < info.Length() && info[i].IsNumber(); }

  Holder* holder(size_t i) const;                     // nullptr once disposed
  Holder* holderOf(Napi::Value v, size_t i) const;
  at::Tensor T(size_t i) const;                       // a live tensor handle
  c10::optional<at::Tensor> OT(size_t i) const;       // tensor or undefined/null
  std::vector<at::Tensor> TL(size_t i) const;         // array of handles
  at::Tensor fromValue(Napi::Value v, size_t i, size_t k) const;  // element k of array argument i
  int64_t I(size_t i) const;
  c10::optional<int64_t> OI(size_t i) const;
  double D(size_t i) const;
  c10::optional<double> OD(size_t i) const;
  bool B(size_t i) const;
  std::string Str(size_t i) const;
  std::vector<int64_t> IL(size_t i) const;            // number or number[]
  c10::optional<std::vector<int64_t>> OIL(size_t i) const;  // IL or undefined/null
  c10::optional<at::ScalarType> ODT(size_t i) const;  // dtype name or undefined/null
  int64_t Red(size_t i) const;                        // 'none' | 'mean' | 'sum' -> at::Reduction
  at::Scalar S(size_t i) const;                       // number or boolean
  c10::optional<at::Scalar> OS(size_t i) const;
  at::TensorOptions options(size_t dtypeIdx, size_t deviceIdx) const;
  [[noreturn]] void fail(size_t i, const std::string& expected) const;
};

// An optional int list as ATen takes it; `v` must outlive the call.
inline at::OptionalIntArrayRef optRef(const c10::optional<std::vector<int64_t>>& v) {
  if (!v) return c10::nullopt;
  return at::IntArrayRef(*v);
}

typedef Napi::Value (*OpFn)(const Args&);
struct OpDef {
  const char* name;
  OpFn fn;
};

// Tables defined by each translation unit, registered by handle.cc's Init.
extern const std::vector<OpDef> kCreationOps;
extern const std::vector<OpDef> kGeneratedOps;  // generated/ops_generated.cc (tools/gen_ops.py)
extern const std::vector<OpDef> kTensorOps;
extern const std::vector<OpDef> kNnOps;
extern const std::vector<OpDef> kAutogradOps;
extern const std::vector<OpDef> kRuntimeOps;
extern const std::vector<OpDef> kDistributedOps;   // distributed.cc (c10d process groups)
extern const std::vector<OpDef> kGradientSyncOps;  // gradient_sync.cc (all-reduce overlapped with backward)
extern const std::vector<OpDef> kAllocatorOps;     // allocator.cc (the caching CPU allocator)
void initRuntime();  // runs once per thread that loads the addon
void initAllocator();  // installs the caching CPU allocator, once per process

// The message of a caught C++ exception as JS errors show it (libtorch's without its backtrace). The trampoline in
// handle.cc uses it for every entry point; asynchronous completions (distributed.cc) use it for errors that arrive
// after the entry point returned.
std::string describeException(std::exception_ptr e);

inline Napi::Value num(const Args& a, double v) { return Napi::Number::New(a.env(), v); }
inline Napi::Value boolean(const Args& a, bool v) { return Napi::Boolean::New(a.env(), v); }

}  // namespace ecg

// One row of an op table: OP(name) { body returning Napi::Value }, with `a` the Args.
#define OP(name) {#name, [](const ::ecg::Args& a) -> Napi::Value
#define END_OP }
#define RET(expr) return ::ecg::wrap(a.env(), (expr))
