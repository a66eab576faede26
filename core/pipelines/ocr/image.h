// 8-bit RGB images for the OCR pipeline: decoding, cropping and resizing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/status.h"

namespace wisp::ocr {

struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // row-major, 3 bytes per pixel

  const uint8_t* pixel(int x, int y) const { return &rgb[(size_t(y) * width + x) * 3]; }
};

// Decodes PNG, JPEG, BMP, PNM, ... from memory (stb_image).
Result<Image> decode_image(const uint8_t* data, size_t size);
Result<Image> load_image(const std::string& path);

struct Rect {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // half-open: [x0, x1) x [y0, y1)
  int width() const { return x1 - x0; }
  int height() const { return y1 - y0; }
};

Image crop(const Image& image, Rect rect);
// Bilinear resize with pixel-centre alignment (the usual INTER_LINEAR convention).
Image resize_bilinear(const Image& image, int width, int height);

}  // namespace wisp::ocr
