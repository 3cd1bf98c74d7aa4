// Tensor handles (a tagged JS object wrapping a Holder), argument readers, the single try/catch that turns C++ exceptions
// into JS errors, and module registration.
#include "common.h"

#include <c10/util/Exception.h>

namespace ecg {

namespace {

// Tags our handle objects so that a foreign object passed by mistake is rejected instead of reinterpreted.
const napi_type_tag kHandleTag = {0x6563676c61625f74ULL, 0x656e736f725f6831ULL};

int64_t storageBytes(const at::Tensor& t) {
  // Views share their base's storage; only count tensors that are not views to avoid double counting.
  if (!t.defined() || t.is_view() || !t.has_storage()) return 0;
  return static_cast<int64_t>(t.storage().nbytes());
}

// V8 is told about the memory behind handles so that a handle nobody disposed gets collected, and its tensor freed,
// once that memory grows. It is told the total in steps of kReportStep, not per handle: V8 runs a full mark-compact
// whenever the reported total rises 64 MiB above its lowest point since the last one, so reporting every tensor made a
// forward pass whose activations come and go (each disposed at once by nn.pipe) collect 2-3 times: 15-20 ms of a 100 ms
// Ma & Liang inference batch (BENCHMARKS.md, Models). Leaked handles still add up, so the report still follows them.
// One count per thread: each worker thread has its own isolate, and a handle is wrapped and released on its own.
constexpr int64_t kReportStep = int64_t(256) << 20;
thread_local int64_t tLiveBytes = 0;      // storage bytes of this thread's undisposed handles
thread_local int64_t tReportedBytes = 0;  // what V8 was last told

void account(Napi::Env env, int64_t change) {
  tLiveBytes += change;
  int64_t drift = tLiveBytes - tReportedBytes;
  if (drift > kReportStep || drift < -kReportStep) {
    Napi::MemoryManagement::AdjustExternalMemory(env, drift);
    tReportedBytes = tLiveBytes;
  }
}

void release(Napi::Env env, Holder* h) {
  if (h->bytes != 0) {
    account(env, -h->bytes);
    h->bytes = 0;
  }
  h->t = at::Tensor();
}

}  // namespace

void finalizeHolder(napi_env env, void* data, void* /*hint*/) {
  auto* h = static_cast<Holder*>(data);
  release(Napi::Env(env), h);
  delete h;
}

Napi::Value wrap(Napi::Env env, at::Tensor t) {
  // A handle is a plain object wrapping the Holder (napi_wrap) rather than an External: dispose() can then
  // napi_remove_wrap, which also cancels the finalizer. Externals keep a pending finalizer per handle until the
  // event loop turns, which grew RSS by tens of MB in synchronous training loops.
  auto* h = new Holder{std::move(t), 0};
  h->bytes = storageBytes(h->t);
  Napi::Object obj = Napi::Object::New(env);
  napi_status st = napi_wrap(env, obj, h, finalizeHolder, nullptr, nullptr);
  if (st != napi_ok) {
    delete h;
    throw Napi::Error::New(env, "could not create a tensor handle");
  }
  if (h->bytes != 0) account(env, h->bytes);
  obj.TypeTag(&kHandleTag);
  return obj;
}

Napi::Value wrapList(Napi::Env env, const std::vector<at::Tensor>& ts) {
  auto arr = Napi::Array::New(env, ts.size());
  for (size_t i = 0; i < ts.size(); i++) arr.Set(static_cast<uint32_t>(i), wrap(env, ts[i]));
  return arr;
}

at::ScalarType parseDType(const std::string& s) {
  if (s == "float32") return at::kFloat;
  if (s == "float64") return at::kDouble;
  if (s == "int64") return at::kLong;
  if (s == "int32") return at::kInt;
  if (s == "uint8") return at::kByte;
  if (s == "bool") return at::kBool;
  if (s == "float16") return at::kHalf;
  if (s == "bfloat16") return at::kBFloat16;
  throw std::invalid_argument("unknown dtype '" + s + "' (expected float32, float64, int64, int32, uint8 or bool)");
}

std::string dtypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    default: return c10::toString(t);
  }
}

at::Device parseDevice(const std::string& s) {
  // at::Device parses 'cpu', 'cuda', 'cuda:N'; a CPU-only libtorch fails later, when a tensor is placed there.
  return at::Device(s);
}

std::string deviceName(const at::Device& d) { return d.str(); }

// ---- Args ----

void Args::fail(size_t i, const std::string& expected) const {
  std::string found = "nothing";
  if (i < info.Length()) {
    switch (info[i].Type()) {
      case napi_undefined: found = "undefined"; break;
      case napi_null: found = "null"; break;
      case napi_boolean: found = "a boolean"; break;
      case napi_number: found = "a number"; break;
      case napi_string: found = "a string"; break;
      case napi_object: found = info[i].IsArray() ? "an array" : "an object"; break;
      case napi_external: found = "a foreign handle"; break;
      default: found = "another value";
    }
  }
  throw Napi::TypeError::New(info.Env(), std::string(fn) + ": argument " + std::to_string(i) + " must be " +
                                             expected + ", got " + found);
}

// The Holder behind handle value `v`, or nullptr once disposed; throws if `v` is not a handle at all.
Holder* Args::holderOf(Napi::Value v, size_t i) const {
  if (v.Type() != napi_object || !v.As<Napi::Object>().CheckTypeTag(&kHandleTag)) fail(i, "a tensor handle");
  void* data = nullptr;
  if (napi_unwrap(info.Env(), v, &data) != napi_ok) return nullptr;  // unwrapped by dispose()
  return static_cast<Holder*>(data);
}

Holder* Args::holder(size_t i) const {
  if (i >= info.Length()) fail(i, "a tensor handle");
  return holderOf(info[i], i);
}

at::Tensor Args::T(size_t i) const {
  Holder* h = holder(i);
  if (h == nullptr || !h->t.defined()) {
    throw Napi::Error::New(info.Env(), std::string(fn) + ": argument " + std::to_string(i) + " is a disposed tensor");
  }
  return h->t;
}

c10::optional<at::Tensor> Args::OT(size_t i) const {
  if (!has(i)) return c10::nullopt;
  return T(i);
}

std::vector<at::Tensor> Args::TL(size_t i) const {
  if (i >= info.Length() || !info[i].IsArray()) fail(i, "an array of tensor handles");
  auto arr = info[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); k++) out.push_back(fromValue(arr.Get(k), i, k));
  return out;
}

at::Tensor Args::fromValue(Napi::Value v, size_t i, size_t k) const {
  if (v.Type() != napi_object || !v.As<Napi::Object>().CheckTypeTag(&kHandleTag)) {
    fail(i, "an array of tensor handles");
  }
  Holder* h = holderOf(v, i);
  if (h == nullptr || !h->t.defined()) {
    throw Napi::Error::New(info.Env(), std::string(fn) + ": argument " + std::to_string(i) + "[" +
                                           std::to_string(k) + "] is a disposed tensor");
  }
  return h->t;
}

int64_t Args::I(size_t i) const {
  if (!isNumber(i)) fail(i, "an integer");
  double d = info[i].As<Napi::Number>().DoubleValue();
  if (d != static_cast<double>(static_cast<int64_t>(d))) fail(i, "an integer");
  return static_cast<int64_t>(d);
}

c10::optional<int64_t> Args::OI(size_t i) const {
  if (!has(i)) return c10::nullopt;
  return I(i);
}

double Args::D(size_t i) const {
  if (!isNumber(i)) fail(i, "a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

c10::optional<double> Args::OD(size_t i) const {
  if (!has(i)) return c10::nullopt;
  return D(i);
}

bool Args::B(size_t i) const {
  if (i >= info.Length() || !info[i].IsBoolean()) fail(i, "a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

std::string Args::Str(size_t i) const {
  if (i >= info.Length() || !info[i].IsString()) fail(i, "a string");
  return info[i].As<Napi::String>().Utf8Value();
}

std::vector<int64_t> Args::IL(size_t i) const {
  if (isNumber(i)) return {I(i)};
  if (i >= info.Length() || !info[i].IsArray()) fail(i, "an integer or an array of integers");
  auto arr = info[i].As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value v = arr.Get(k);
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : 0.5;
    if (d != static_cast<double>(static_cast<int64_t>(d))) fail(i, "an array of integers");
    out[k] = static_cast<int64_t>(d);
  }
  return out;
}

c10::optional<std::vector<int64_t>> Args::OIL(size_t i) const {
  if (!has(i)) return c10::nullopt;
  return IL(i);
}

c10::optional<at::ScalarType> Args::ODT(size_t i) const {
  if (!has(i)) return c10::nullopt;
  return parseDType(Str(i));
}

int64_t Args::Red(size_t i) const {
  if (i < info.Length() && info[i].IsString()) {
    std::string r = Str(i);
    if (r == "none") return at::Reduction::None;
    if (r == "mean") return at::Reduction::Mean;
    if (r == "sum") return at::Reduction::Sum;
  }
  fail(i, "'none', 'mean' or 'sum'");
}

at::Scalar Args::S(size_t i) const {
  if (i < info.Length() && info[i].IsBoolean()) return at::Scalar(info[i].As<Napi::Boolean>().Value());
  if (!isNumber(i)) fail(i, "a number");
  double d = info[i].As<Napi::Number>().DoubleValue();
  // JS has one number type: integral values act as Python ints (int tensor + 1 stays int64), others as floats.
  if (std::abs(d) < 9007199254740992.0 && d == static_cast<double>(static_cast<int64_t>(d))) {
    return at::Scalar(static_cast<int64_t>(d));
  }
  return at::Scalar(d);
}

c10::optional<at::Scalar> Args::OS(size_t i) const {
  if (!has(i)) return c10::nullopt;
  return S(i);
}

at::TensorOptions Args::options(size_t dtypeIdx, size_t deviceIdx) const {
  at::TensorOptions o = at::TensorOptions().dtype(has(dtypeIdx) ? parseDType(Str(dtypeIdx)) : at::kFloat);
  if (has(deviceIdx)) o = o.device(parseDevice(Str(deviceIdx)));
  return o;
}

// ---- the one try/catch every native entry point goes through ----

std::string describeException(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const c10::Error& err) {
    // what() carries a long C++ backtrace; the message alone is what users need.
    return err.what_without_backtrace();
  } catch (const std::exception& err) {
    return err.what();
  } catch (...) {
    return "unknown C++ exception";
  }
}

namespace {

Napi::Value trampoline(const Napi::CallbackInfo& info) {
  const OpDef* def = static_cast<const OpDef*>(info.Data());
  Args a{info, def->name};
  try {
    return def->fn(a);
  } catch (const Napi::Error&) {
    throw;  // already a JS error (argument checks above)
  } catch (...) {
    throw Napi::Error::New(info.Env(), std::string(def->name) + ": " + describeException(std::current_exception()));
  }
}

void registerTable(Napi::Env env, Napi::Object exports, const std::vector<OpDef>& table) {
  for (const OpDef& def : table) {
    exports.Set(def.name, Napi::Function::New(env, trampoline, def.name, const_cast<OpDef*>(&def)));
  }
}

const std::vector<OpDef> kHandleOps = {
    OP(dispose) {
      if (a.holder(0) == nullptr) return a.env().Undefined();  // already disposed
      void* data = nullptr;
      napi_remove_wrap(a.env(), a.info[0], &data);              // also cancels the finalizer
      auto* h = static_cast<Holder*>(data);
      release(a.env(), h);
      delete h;
      return a.env().Undefined();
    } END_OP,
    OP(isDisposed) { return boolean(a, a.holder(0) == nullptr); } END_OP,
};

}  // namespace

}  // namespace ecg

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  ecg::initAllocator();
  ecg::initRuntime();
  ecg::registerTable(env, exports, ecg::kHandleOps);
  ecg::registerTable(env, exports, ecg::kCreationOps);
  ecg::registerTable(env, exports, ecg::kGeneratedOps);
  ecg::registerTable(env, exports, ecg::kTensorOps);
  ecg::registerTable(env, exports, ecg::kNnOps);
  ecg::registerTable(env, exports, ecg::kAutogradOps);
  ecg::registerTable(env, exports, ecg::kRuntimeOps);
  ecg::registerTable(env, exports, ecg::kDistributedOps);
  ecg::registerTable(env, exports, ecg::kGradientSyncOps);
  ecg::registerTable(env, exports, ecg::kAllocatorOps);
  return exports;
}

// N-API modules are context-aware, so the addon also loads inside worker_threads.
NODE_API_MODULE(ecglab_torch, Init)
