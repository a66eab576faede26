// libFuzzer target: arbitrary bytes as an .onnx file, then plan compilation.
// The work is in fuzz_entries.h, shared with the regression replay unit test.
#include <cstdio>

#include "tests/fuzz/fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (const char* broken = wisp::fuzz::onnx_loader(data, size)) {
    std::fprintf(stderr, "fuzz_onnx_loader: %s\n", broken);
    __builtin_trap();
  }
  return 0;
}
