{
  # Builds the libtorch addon. node-gyp turns C++ exceptions and RTTI off by default; the torch headers need
  # both, and libtorch is built with the new libstdc++ ABI (the old one loads, then corrupts the heap).
  "targets": [
    {
      "target_name": "ecglab_torch",
      "sources": [
        "native/handle.cc",
        "native/creation.cc",
        "native/generated/ops_generated.cc",
        "native/ops_tensor.cc",
        "native/ops_nn.cc",
        "native/autograd.cc",
        "native/runtime.cc",
        "native/distributed.cc",
        "native/gradient_sync.cc",
        "native/allocator.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "/usr/include/torch/csrc/api/include"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "_GLIBCXX_USE_CXX11_ABI=1"],
      "cflags!": ["-fno-exceptions", "-fno-rtti", "-O3"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++1y", "-O3"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter"],
      "libraries": ["-ltorch", "-ltorch_cpu", "-lc10", "-L/usr/lib/x86_64-linux-gnu"],
      "ldflags": ["-Wl,--no-as-needed"]
    }
  ]
}
