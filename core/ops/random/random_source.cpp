#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numbers>

#include "core/ops/random/random_ops.h"

namespace wisp::random_ops {
namespace {

// SplitMix64's finaliser: spreads nearby inputs (clock ticks, counters) over all 64 bits.
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A seed for an unseeded run: the clock plus a process-wide counter, so that runs started in
// the same clock tick (or on several threads at once) still differ. std::random_device is
// avoided because it may be unavailable without exceptions or on WASI.
uint64_t fresh_seed() {
  static std::atomic<uint64_t> counter{0};
  const uint64_t tick = uint64_t(std::chrono::high_resolution_clock::now().time_since_epoch().count());
  const uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  return mix(tick ^ mix(n + 0x9e3779b97f4a7c15ull));
}

}  // namespace

Result<std::optional<float>> read_seed(const Node& node) {
  if (!node.has_attr("seed")) return std::optional<float>();
  WISP_ASSIGN_OR_RETURN(float seed, node.attr_float("seed", 0.0f));
  return std::optional<float>(seed);
}

RandomSource::RandomSource(std::optional<float> seed) {
  if (seed) {
    // The seed's bit pattern, so that every distinct float (0.5 as well as 1.0) is its own seed.
    uint32_t bits = 0;
    std::memcpy(&bits, &*seed, sizeof bits);
    engine_.seed(bits);
  } else {
    engine_.seed(fresh_seed());
  }
}

double RandomSource::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  const double u1 = 1.0 - uniform();  // in (0, 1]: log(u1) is finite
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 2.0 * std::numbers::pi * u2;
  spare_ = r * std::sin(theta);
  has_spare_ = true;
  return r * std::cos(theta);
}

}  // namespace wisp::random_ops
