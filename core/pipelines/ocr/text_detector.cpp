#include "core/pipelines/ocr/text_detector.h"

#include <algorithm>
#include <cmath>

#include "core/pipelines/ocr/preprocess.h"

namespace wisp::ocr {

namespace {

// The detector needs sides that are multiples of 32 (five stride-2 stages).
int round_to_stride(double side) { return std::max(32, int(std::lround(side / 32.0)) * 32); }

struct Region {
  int x0, y0, x1, y1;  // inclusive bounds
  double score_sum = 0;
  int64_t pixels = 0;
};

// 8-connected components of the thresholded map, found with an explicit stack (no recursion).
std::vector<Region> connected_regions(const float* prob, int width, int height, float threshold) {
  std::vector<uint8_t> seen(size_t(width) * height, 0);
  std::vector<int> stack;
  std::vector<Region> regions;
  for (int start = 0; start < width * height; ++start) {
    if (seen[start] || prob[start] <= threshold) continue;
    Region r{start % width, start / width, start % width, start / width};
    seen[start] = 1;
    stack.push_back(start);
    while (!stack.empty()) {
      int p = stack.back();
      stack.pop_back();
      int x = p % width, y = p / width;
      r.x0 = std::min(r.x0, x), r.x1 = std::max(r.x1, x);
      r.y0 = std::min(r.y0, y), r.y1 = std::max(r.y1, y);
      r.score_sum += prob[p];
      ++r.pixels;
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          int nx = x + dx, ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          int q = ny * width + nx;
          if (!seen[q] && prob[q] > threshold) {
            seen[q] = 1;
            stack.push_back(q);
          }
        }
      }
    }
    regions.push_back(r);
  }
  return regions;
}

}  // namespace

std::vector<TextBox> boxes_from_probability_map(const float* prob, int width, int height, double scale_x,
                                                double scale_y, int image_width, int image_height,
                                                const DetectorOptions& options) {
  std::vector<TextBox> boxes;
  for (const Region& r : connected_regions(prob, width, height, options.pixel_threshold)) {
    double w = r.x1 - r.x0 + 1, h = r.y1 - r.y0 + 1;
    if (std::min(w, h) < options.min_box_side) continue;
    float score = float(r.score_sum / double(r.pixels));
    if (score < options.box_threshold) continue;
    // Grow the box by area * ratio / perimeter, the offset DB's training shrank it by.
    double grow = w * h * options.unclip_ratio / (2 * (w + h));
    Rect rect;
    rect.x0 = std::clamp(int(std::floor((r.x0 - grow) * scale_x)), 0, image_width);
    rect.y0 = std::clamp(int(std::floor((r.y0 - grow) * scale_y)), 0, image_height);
    rect.x1 = std::clamp(int(std::ceil((r.x1 + 1 + grow) * scale_x)), 0, image_width);
    rect.y1 = std::clamp(int(std::ceil((r.y1 + 1 + grow) * scale_y)), 0, image_height);
    if (rect.width() < options.min_box_side || rect.height() < options.min_box_side) continue;
    boxes.push_back({rect, score});
  }
  // Reading order: rows first (boxes whose tops are within half a line count as one row).
  std::sort(boxes.begin(), boxes.end(), [](const TextBox& a, const TextBox& b) {
    int tolerance = std::min(a.rect.height(), b.rect.height()) / 2;
    if (std::abs(a.rect.y0 - b.rect.y0) > tolerance) return a.rect.y0 < b.rect.y0;
    return a.rect.x0 < b.rect.x0;
  });
  return boxes;
}

Result<std::vector<TextBox>> TextDetector::detect(const Image& image) const {
  WISP_CHECK_ARG(image.width > 0 && image.height > 0, "empty image");
  double shrink = std::min(1.0, double(options_.max_side) / std::max(image.width, image.height));
  int width = round_to_stride(image.width * shrink), height = round_to_stride(image.height * shrink);
  Image resized = resize_bilinear(image, width, height);
  WISP_ASSIGN_OR_RETURN(Tensor input, image_to_tensor(resized, width, height, {0.485f, 0.456f, 0.406f},
                                                      {0.229f, 0.224f, 0.225f}));
  WISP_CHECK_ARG(!session_.inputs().empty() && !session_.outputs().empty(), "detector model has no input or output");
  WISP_ASSIGN_OR_RETURN(NamedTensors outputs, session_.run({{session_.inputs()[0].name, input}}));
  const Tensor& map = outputs[0].second;
  WISP_CHECK_MODEL(map.dtype() == DType::Float32 && map.numel() == int64_t(width) * height,
                   "detector output ", map.describe(), " is not a ", height, "x", width, " probability map");
  return boxes_from_probability_map(map.data<float>(), width, height, double(image.width) / width,
                                    double(image.height) / height, image.width, image.height, options_);
}

}  // namespace wisp::ocr
