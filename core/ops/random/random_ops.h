// The random generator operators and the per-run random source they share.
//
// Every run() draws from its own generator, so runs never share mutable state and one model
// may run on several threads at once. With a `seed` attribute each run starts from that seed
// (the same model and inputs give the same outputs on every run and every platform); without
// one each run gets a fresh seed. The conversions from generator bits to numbers are written
// out here rather than using <random>'s distributions, whose results differ between standard
// libraries (libstdc++ natively, libc++ in the web and WASI builds).
#pragma once

#include <cstdint>
#include <optional>
#include <random>

#include "core/ops/op.h"

namespace wisp::random_ops {

void register_distribution_ops(OpRegistry& registry);  // RandomUniform(Like), RandomNormal(Like)
void register_bernoulli_ops(OpRegistry& registry);     // Bernoulli

// The node's `seed` attribute (a float in ONNX), or nothing when absent.
Result<std::optional<float>> read_seed(const Node& node);

class RandomSource {
 public:
  // A generator started from `seed`, or from a fresh seed when there is none.
  explicit RandomSource(std::optional<float> seed);

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return double(engine_() >> 11) * 0x1.0p-53; }
  // Standard normal (Box-Muller, which yields values in pairs: the second is kept for the next call).
  double normal();

 private:
  std::mt19937_64 engine_;  // its output sequence is fixed by the C++ standard
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace wisp::random_ops
