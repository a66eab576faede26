// libFuzzer target: arbitrary bytes as an .onnx model, run once on inputs of its declared shapes.
// The work is in fuzz_entries.h, shared with the regression replay unit test.
#include <cstdio>

#include "tests/fuzz/fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (const char* broken = wisp::fuzz::run_graph(data, size)) {
    std::fprintf(stderr, "fuzz_run_graph: %s\n", broken);
    __builtin_trap();
  }
  return 0;
}
