#include "core/pipelines/ocr/text_recognizer.h"

#include <algorithm>
#include <cmath>

#include "core/loaders/file_bytes.h"
#include "core/pipelines/ocr/preprocess.h"

namespace wisp::ocr {

namespace {
constexpr int kLineHeight = 48;  // PP-OCRv3/v4 recognizers take 48-pixel-high lines
constexpr int kMinLineWidth = 320;
constexpr int kMaxLineWidth = 3200;  // very long crops are squeezed rather than made huge
}  // namespace

Result<CharacterSet> CharacterSet::load(const std::string& path, bool add_space) {
  WISP_ASSIGN_OR_RETURN(FileBytes bytes, read_file_bytes(path));
  CharacterSet set;
  std::string line;
  for (size_t i = 0; i <= bytes.size; ++i) {
    char c = i < bytes.size ? char(bytes.data[i]) : '\n';
    if (c == '\n') {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty() || i < bytes.size) set.characters.push_back(line);
      line.clear();
    } else {
      line.push_back(c);
    }
  }
  if (add_space) set.characters.push_back(" ");
  WISP_CHECK_ARG(set.characters.size() > 1, path, ": character dictionary is empty");
  return set;
}

RecognizedText ctc_greedy_decode(const float* probabilities, int64_t steps, int64_t classes,
                                 const CharacterSet& charset) {
  RecognizedText result;
  int64_t previous = -1, kept = 0;
  double score_sum = 0;
  for (int64_t t = 0; t < steps; ++t) {
    const float* row = probabilities + t * classes;
    int64_t best = std::max_element(row, row + classes) - row;
    if (best != 0 && best != previous && best - 1 < int64_t(charset.characters.size())) {
      result.text += charset.characters[size_t(best - 1)];
      score_sum += row[best];
      ++kept;
    }
    previous = best;
  }
  result.score = kept ? float(score_sum / kept) : 0.0f;
  return result;
}

Result<RecognizedText> TextRecognizer::recognize(const Image& line) const {
  WISP_CHECK_ARG(line.width > 0 && line.height > 0, "empty text line image");
  int width = std::clamp(int(std::ceil(double(kLineHeight) * line.width / line.height)), 1, kMaxLineWidth);
  int tensor_width = std::max(width, kMinLineWidth);
  Image resized = resize_bilinear(line, width, kLineHeight);
  // (x / 255 - 0.5) / 0.5, padded on the right with zeros as the model was trained.
  WISP_ASSIGN_OR_RETURN(Tensor input, image_to_tensor(resized, tensor_width, kLineHeight, {0.5f, 0.5f, 0.5f},
                                                      {0.5f, 0.5f, 0.5f}, 0.0f));
  WISP_CHECK_ARG(!session_.inputs().empty() && !session_.outputs().empty(), "recognizer model has no input or output");
  WISP_ASSIGN_OR_RETURN(NamedTensors outputs, session_.run({{session_.inputs()[0].name, input}}));
  const Tensor& probs = outputs[0].second;
  WISP_CHECK_MODEL(probs.dtype() == DType::Float32 && probs.rank() == 3 && probs.dim(0) == 1,
                   "recognizer output ", probs.describe(), " is not [1, steps, classes]");
  WISP_CHECK_MODEL(probs.dim(2) == int64_t(charset_.characters.size()) + 1, "recognizer has ", probs.dim(2),
                   " classes but the dictionary has ", charset_.characters.size(), " characters (+1 blank)");
  return ctc_greedy_decode(probs.data<float>(), probs.dim(1), probs.dim(2), charset_);
}

}  // namespace wisp::ocr
