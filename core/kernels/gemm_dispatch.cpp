// Picks the GEMM kernel set once, from the CPU's features and WISP_SIMD.
#include "core/kernels/gemm_dispatch.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/kernels/gemm.h"
#if !defined(WISP_SIMD_DISPATCH_X86)
#include "core/kernels/gemm_kernel_set.h"
#endif

namespace wisp::kernels {

namespace {

std::vector<const GemmKernelSet*> detect() {
  std::vector<const GemmKernelSet*> sets;
#if defined(WISP_SIMD_DISPATCH_X86)
  // The CPU check comes first: building a set runs code compiled for its ISA.
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma")) {
    if (const GemmKernelSet* s = isa::avx512()) sets.push_back(s);
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    if (const GemmKernelSet* s = isa::avx2()) sets.push_back(s);
  }
  if (__builtin_cpu_supports("sse4.1")) {
    if (const GemmKernelSet* s = isa::sse4()) sets.push_back(s);
  }
  if (const GemmKernelSet* s = isa::scalar()) sets.push_back(s);
#else
  // One set, compiled with this target's baseline vector type (NEON, WASM SIMD128, ...).
  static const GemmKernelSet native = detail::make_gemm_kernel_set<simd::F32x>(simd::F32x::kName);
  sets.push_back(&native);
#endif
  return sets;
}

const std::vector<const GemmKernelSet*>& available() {
  static const std::vector<const GemmKernelSet*> sets = detect();
  return sets;
}

const GemmKernelSet* find(const char* name) {
  for (const GemmKernelSet* s : available()) {
    if (std::strcmp(s->name, name) == 0) return s;
  }
  return nullptr;
}

const GemmKernelSet* initial() {
  const char* env = std::getenv("WISP_SIMD");
  if (env && *env) {
    if (const GemmKernelSet* s = find(env)) return s;
    std::string names;
    for (const GemmKernelSet* s : available()) names += std::string(names.empty() ? "" : ", ") + s->name;
    std::fprintf(stderr, "wisp: WISP_SIMD=%s is not available on this CPU/build (have: %s)\n", env, names.c_str());
  }
  // The best set the CPU runs (AVX-512 first: on this project's Zen CPUs its 6 x 64 tile
  // does about twice the GFLOP/s of AVX2's 6 x 16).
  return available().front();
}

std::atomic<const GemmKernelSet*>& active() {
  static std::atomic<const GemmKernelSet*> set{initial()};
  return set;
}

}  // namespace

const GemmKernelSet& gemm_kernels() { return *active().load(std::memory_order_relaxed); }

std::vector<const GemmKernelSet*> gemm_kernel_sets() { return available(); }

const char* gemm_isa_name() { return gemm_kernels().name; }

std::vector<const char*> gemm_isa_names() {
  std::vector<const char*> names;
  for (const GemmKernelSet* s : available()) names.push_back(s->name);
  return names;
}

bool set_gemm_isa(const char* name) {
  const GemmKernelSet* s = name ? find(name) : nullptr;
  if (!s) return false;
  active().store(s, std::memory_order_relaxed);
  return true;
}

}  // namespace wisp::kernels
