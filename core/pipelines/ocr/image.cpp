#include "core/pipelines/ocr/image.h"

#include <algorithm>
#include <cmath>

#include "core/loaders/file_bytes.h"

#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO       // files are read by the core's own file layer
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_FAILURE_USERMSG
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#include "stb/stb_image.h"
#pragma GCC diagnostic pop

namespace wisp::ocr {

// Images larger than this are refused rather than decoded into gigabytes of pixels.
constexpr int64_t kMaxImagePixels = int64_t(1) << 26;

Result<Image> decode_image(const uint8_t* data, size_t size) {
  if (size > size_t(INT32_MAX)) return invalid_argument("image file is too large (", size, " bytes)");
  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_memory(data, int(size), &width, &height, &channels)) {
    return invalid_argument("cannot decode image: ", stbi_failure_reason());
  }
  if (int64_t(width) * height > kMaxImagePixels) {
    return invalid_argument("image of ", width, "x", height, " pixels is larger than the limit of ",
                            kMaxImagePixels, " pixels");
  }
  uint8_t* pixels = stbi_load_from_memory(data, int(size), &width, &height, &channels, 3);
  if (!pixels) return invalid_argument("cannot decode image: ", stbi_failure_reason());
  Image image;
  image.width = width;
  image.height = height;
  image.rgb.assign(pixels, pixels + size_t(width) * height * 3);
  stbi_image_free(pixels);
  return image;
}

Result<Image> load_image(const std::string& path) {
  WISP_ASSIGN_OR_RETURN(FileBytes bytes, read_file_bytes(path));
  auto image = decode_image(bytes.data, bytes.size);
  if (!image) return invalid_argument(path, ": ", image.status().message());
  return image;
}

Image crop(const Image& image, Rect rect) {
  rect.x0 = std::clamp(rect.x0, 0, image.width);
  rect.x1 = std::clamp(rect.x1, rect.x0, image.width);
  rect.y0 = std::clamp(rect.y0, 0, image.height);
  rect.y1 = std::clamp(rect.y1, rect.y0, image.height);
  Image out;
  out.width = rect.width();
  out.height = rect.height();
  out.rgb.resize(size_t(out.width) * out.height * 3);
  for (int y = 0; y < out.height; ++y) {
    std::copy_n(image.pixel(rect.x0, rect.y0 + y), size_t(out.width) * 3, &out.rgb[size_t(y) * out.width * 3]);
  }
  return out;
}

namespace {
// Source sample positions and weights along one axis.
struct AxisTaps {
  std::vector<int> lo, hi;
  std::vector<float> frac;
};

AxisTaps axis_taps(int src, int dst) {
  AxisTaps taps;
  taps.lo.resize(dst);
  taps.hi.resize(dst);
  taps.frac.resize(dst);
  const double scale = double(src) / dst;
  for (int i = 0; i < dst; ++i) {
    double s = std::clamp((i + 0.5) * scale - 0.5, 0.0, double(src - 1));
    int lo = int(std::floor(s));
    taps.lo[i] = lo;
    taps.hi[i] = std::min(lo + 1, src - 1);
    taps.frac[i] = float(s - lo);
  }
  return taps;
}
}  // namespace

Image resize_bilinear(const Image& image, int width, int height) {
  Image out;
  out.width = width;
  out.height = height;
  out.rgb.resize(size_t(width) * height * 3);
  if (image.width == 0 || image.height == 0) return out;
  AxisTaps xs = axis_taps(image.width, width), ys = axis_taps(image.height, height);
  for (int y = 0; y < height; ++y) {
    const float fy = ys.frac[y];
    for (int x = 0; x < width; ++x) {
      const float fx = xs.frac[x];
      const uint8_t* a = image.pixel(xs.lo[x], ys.lo[y]);
      const uint8_t* b = image.pixel(xs.hi[x], ys.lo[y]);
      const uint8_t* c = image.pixel(xs.lo[x], ys.hi[y]);
      const uint8_t* d = image.pixel(xs.hi[x], ys.hi[y]);
      uint8_t* o = &out.rgb[(size_t(y) * width + x) * 3];
      for (int ch = 0; ch < 3; ++ch) {
        float top = a[ch] + (b[ch] - a[ch]) * fx;
        float bottom = c[ch] + (d[ch] - c[ch]) * fx;
        o[ch] = uint8_t(std::lround(std::clamp(top + (bottom - top) * fy, 0.0f, 255.0f)));
      }
    }
  }
  return out;
}

}  // namespace wisp::ocr
