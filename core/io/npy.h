// NumPy .npy files: the CLI's (and tests') way to feed inputs and save outputs.
//
// Reading accepts format versions 1.0, 2.0 and 3.0, C order, little-endian (or byte-order
// free) numeric and bool dtypes. Everything in the file is treated as untrusted: the header
// is parsed strictly, the shape is checked against Limits and the data size must match the
// file exactly. Writing produces version 1.0 (2.0 when the header would not fit).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/runtime/limits.h"
#include "core/tensor/tensor.h"

namespace wisp {

// Parses a whole .npy image into a freshly allocated tensor.
Result<Tensor> parse_npy(const uint8_t* data, size_t size, const Limits& limits = {});
// Reads and parses a .npy file; errors name the path.
Result<Tensor> read_npy(const std::string& path, const Limits& limits = {});

// Serialises a numeric or bool tensor (bfloat16 and strings have no .npy dtype).
Result<std::vector<uint8_t>> encode_npy(const Tensor& tensor);
Status write_npy(const std::string& path, const Tensor& tensor);

// The numpy dtype string for a Wisp dtype ("<f4", "|b1"), or "" when there is none.
std::string npy_descr(DType dtype);

}  // namespace wisp
