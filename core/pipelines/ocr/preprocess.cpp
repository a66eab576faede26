#include "core/pipelines/ocr/preprocess.h"

namespace wisp::ocr {

Result<Tensor> image_to_tensor(const Image& image, int width, int height, std::array<float, 3> mean,
                               std::array<float, 3> std, float pad) {
  WISP_ASSIGN_OR_RETURN(Tensor tensor, Tensor::empty(DType::Float32, {1, 3, height, width}));
  float* out = tensor.data<float>();
  const size_t plane = size_t(width) * height;
  for (int c = 0; c < 3; ++c) {
    const int rgb_channel = 2 - c;  // BGR
    const float scale = 1.0f / (255.0f * std[c]);
    const float shift = -mean[c] / std[c];
    float* dst = out + c * plane;
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        dst[size_t(y) * width + x] = (x < image.width && y < image.height)
                                         ? image.pixel(x, y)[rgb_channel] * scale + shift
                                         : pad;
      }
    }
  }
  return tensor;
}

}  // namespace wisp::ocr
