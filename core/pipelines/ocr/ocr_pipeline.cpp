#include "core/pipelines/ocr/ocr_pipeline.h"

#include <chrono>

namespace wisp::ocr {

namespace {
double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

Result<std::unique_ptr<OcrPipeline>> OcrPipeline::load(const OcrPaths& paths, const SessionOptions& options,
                                                       DetectorOptions detector_options) {
  std::unique_ptr<OcrPipeline> pipeline(new OcrPipeline());
  WISP_ASSIGN_OR_RETURN(pipeline->detector_session_, Session::load_file(paths.detector, options));
  WISP_ASSIGN_OR_RETURN(pipeline->recognizer_session_, Session::load_file(paths.recognizer, options));
  WISP_ASSIGN_OR_RETURN(pipeline->charset_, CharacterSet::load(paths.dictionary));
  pipeline->detector_options_ = detector_options;
  return pipeline;
}

Result<std::vector<TextLine>> OcrPipeline::run(const Image& image, OcrTimings* timings) const {
  auto start = std::chrono::steady_clock::now();
  TextDetector detector(*detector_session_, detector_options_);
  WISP_ASSIGN_OR_RETURN(std::vector<TextBox> boxes, detector.detect(image));
  if (timings) timings->detect_seconds = seconds_since(start);

  start = std::chrono::steady_clock::now();
  TextRecognizer recognizer(*recognizer_session_, charset_);
  std::vector<TextLine> lines;
  for (const TextBox& box : boxes) {
    WISP_ASSIGN_OR_RETURN(RecognizedText text, recognizer.recognize(crop(image, box.rect)));
    if (text.text.empty()) continue;
    lines.push_back({box.rect, text.text, box.score, text.score});
  }
  if (timings) timings->recognize_seconds = seconds_since(start);
  return lines;
}

}  // namespace wisp::ocr
