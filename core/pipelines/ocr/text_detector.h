// Text detection with a DB (differentiable binarization) model such as PP-OCRv4 det: the
// model maps an image to a per-pixel text probability; boxes are the connected regions of
// that map above a threshold, grown back by the margin the model was trained to shrink.
#pragma once

#include <memory>
#include <vector>

#include "core/pipelines/ocr/image.h"
#include "core/runtime/session.h"

namespace wisp::ocr {

struct DetectorOptions {
  int max_side = 960;          // longer image side is scaled down to at most this
  float pixel_threshold = 0.3f;  // probability for a pixel to count as text
  float box_threshold = 0.6f;    // mean probability for a region to count as a text box
  float unclip_ratio = 1.5f;     // how far boxes are grown (DB shrinks its targets in training)
  int min_box_side = 3;
};

struct TextBox {
  Rect rect;    // in original image pixels
  float score;  // mean text probability of the region
};

class TextDetector {
 public:
  TextDetector(const Session& session, DetectorOptions options) : session_(session), options_(options) {}
  // Boxes in reading order (top to bottom, then left to right).
  Result<std::vector<TextBox>> detect(const Image& image) const;

 private:
  const Session& session_;
  DetectorOptions options_;
};

// The post-processing on its own (exposed for tests): `probability` is height x width.
std::vector<TextBox> boxes_from_probability_map(const float* probability, int width, int height,
                                                double scale_x, double scale_y, int image_width,
                                                int image_height, const DetectorOptions& options);

}  // namespace wisp::ocr
