// libFuzzer target: arbitrary bytes through the .npy reader, and a written copy read back.
// The work is in fuzz_entries.h, shared with the regression replay unit test.
#include <cstdio>

#include "tests/fuzz/fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (const char* broken = wisp::fuzz::npy(data, size)) {
    std::fprintf(stderr, "fuzz_npy: %s\n", broken);
    __builtin_trap();
  }
  return 0;
}
