// Window geometry shared by the pooling ops (MaxPool, AveragePool, LpPool, MaxUnpool):
// attribute parsing, output sizes for explicit pads / auto_pad / ceil_mode, and the valid
// kernel range of one window. Up to three spatial dims; fewer are padded with unit dims in
// front so every kernel is a plain triple loop.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "core/ops/op.h"

namespace wisp::nn {

constexpr int kMaxPoolDims = 3;

struct PoolAttributes {
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;    // empty: all 1
  std::vector<int64_t> dilations;  // empty: all 1
  std::vector<int64_t> pads;       // empty: all 0 (begins then ends)
  std::string auto_pad = "NOTSET";
  bool ceil_mode = false;

  // Reads kernel_shape, strides, dilations, pads, auto_pad, ceil_mode (those the op knows).
  Status parse(const Node& node, bool has_dilations, bool has_ceil_mode);
};

// Geometry resolved against one input shape. Index 0..2 are (depth, height, width); dims the
// op does not have are 1 with no padding.
struct PoolGeometry {
  int nd = 0;  // real spatial dims
  int64_t batch = 0, channels = 0;
  int64_t in[kMaxPoolDims] = {1, 1, 1};
  int64_t out[kMaxPoolDims] = {1, 1, 1};
  int64_t k[kMaxPoolDims] = {1, 1, 1};
  int64_t s[kMaxPoolDims] = {1, 1, 1};
  int64_t d[kMaxPoolDims] = {1, 1, 1};
  int64_t pb[kMaxPoolDims] = {0, 0, 0};  // padding before
  int64_t pe[kMaxPoolDims] = {0, 0, 0};  // padding after
  Shape out_shape;

  int64_t in_plane() const { return in[0] * in[1] * in[2]; }
  int64_t out_plane() const { return out[0] * out[1] * out[2]; }

  // Kernel taps [lo, hi) of the window starting at `start` along dim `i` that fall inside
  // the input.
  void valid_taps(int i, int64_t start, int64_t& lo, int64_t& hi) const {
    lo = start < 0 ? (-start + d[i] - 1) / d[i] : 0;
    int64_t room = in[i] - start;  // positions left from start to the end of the input
    hi = room <= 0 ? 0 : std::min<int64_t>(k[i], (room + d[i] - 1) / d[i]);
    if (hi < lo) hi = lo;
  }
};

// Resolves `attrs` for input `shape` (N, C, spatial...).
Result<PoolGeometry> resolve_pool_geometry(const PoolAttributes& attrs, const Shape& shape);

}  // namespace wisp::nn
