// Detection + recognition: from an image to text lines.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/pipelines/ocr/text_detector.h"
#include "core/pipelines/ocr/text_recognizer.h"

namespace wisp::ocr {

struct TextLine {
  Rect rect;
  std::string text;
  float detection_score = 0, recognition_score = 0;
};

struct OcrTimings {
  double detect_seconds = 0, recognize_seconds = 0;
};

struct OcrPaths {
  std::string detector, recognizer, dictionary;
};

class OcrPipeline {
 public:
  static Result<std::unique_ptr<OcrPipeline>> load(const OcrPaths& paths, const SessionOptions& options = {},
                                                   DetectorOptions detector_options = {});
  Result<std::vector<TextLine>> run(const Image& image, OcrTimings* timings = nullptr) const;

 private:
  std::unique_ptr<Session> detector_session_, recognizer_session_;
  CharacterSet charset_;
  DetectorOptions detector_options_;
};

}  // namespace wisp::ocr
