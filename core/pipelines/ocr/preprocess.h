// Image to tensor conversion shared by the OCR models.
#pragma once

#include <array>

#include "core/pipelines/ocr/image.h"
#include "core/tensor/tensor.h"

namespace wisp::ocr {

// Writes `image` into a float32 [1, 3, height, width] tensor (height/width may exceed the
// image's: the rest is filled with `pad`). Channels are in BGR order, as PaddleOCR's models
// were trained on OpenCV images; value = (pixel / 255 - mean[c]) / std[c].
Result<Tensor> image_to_tensor(const Image& image, int width, int height, std::array<float, 3> mean,
                               std::array<float, 3> std, float pad = 0.0f);

}  // namespace wisp::ocr
