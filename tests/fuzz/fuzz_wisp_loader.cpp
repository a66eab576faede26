// libFuzzer target: arbitrary bytes as a .wisp file, then plan compilation.
// The work is in fuzz_entries.h, shared with the regression replay unit test.
#include <cstdio>

#include "tests/fuzz/fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (const char* broken = wisp::fuzz::wisp_loader(data, size)) {
    std::fprintf(stderr, "fuzz_wisp_loader: %s\n", broken);
    __builtin_trap();
  }
  return 0;
}
