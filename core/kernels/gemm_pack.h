// Packing with an explicit tile geometry (internal to core/kernels).
#pragma once

#include <cstdint>

#include "core/kernels/gemm.h"

namespace wisp::kernels {

// pack_b_panels for panels of `nr` columns.
void pack_b_panels_nr(MatrixView b, int64_t k, int64_t col0, int64_t cols, int nr, float* dst);

}  // namespace wisp::kernels
