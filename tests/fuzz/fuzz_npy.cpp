// libFuzzer target: arbitrary bytes through the .npy reader, and a written copy read back.
#include <cstring>

#include "core/io/npy.h"
#include "tests/fuzz/fuzz_limits.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wisp;
  Result<Tensor> tensor = parse_npy(data, size, fuzz::limits());
  if (!tensor.is_ok()) return 0;
  Result<std::vector<uint8_t>> encoded = encode_npy(tensor.value());
  if (!encoded.is_ok()) return 0;
  Result<Tensor> again = parse_npy(encoded.value().data(), encoded.value().size(), fuzz::limits());
  if (!again.is_ok() || again.value().shape() != tensor.value().shape() ||
      again.value().dtype() != tensor.value().dtype()) {
    __builtin_trap();  // what Wisp writes, Wisp must read back unchanged
  }
  return 0;
}
