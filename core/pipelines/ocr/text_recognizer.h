// Text-line recognition with a CTC model such as PP-OCRv4 rec: a line image of fixed height
// becomes a sequence of per-step class probabilities; greedy CTC decoding (best class per
// step, merge repeats, drop blanks) turns it into text.
#pragma once

#include <string>
#include <vector>

#include "core/pipelines/ocr/image.h"
#include "core/runtime/session.h"

namespace wisp::ocr {

// Class k >= 1 of the model is characters[k - 1]; class 0 is the CTC blank.
struct CharacterSet {
  std::vector<std::string> characters;
  // One character per line (UTF-8); `add_space` appends " " as PaddleOCR's models expect.
  static Result<CharacterSet> load(const std::string& path, bool add_space = true);
};

struct RecognizedText {
  std::string text;
  float score = 0;  // mean probability of the kept characters
};

// Greedy CTC decoding of `steps` x `classes` probabilities.
RecognizedText ctc_greedy_decode(const float* probabilities, int64_t steps, int64_t classes,
                                 const CharacterSet& charset);

class TextRecognizer {
 public:
  TextRecognizer(const Session& session, const CharacterSet& charset) : session_(session), charset_(charset) {}
  Result<RecognizedText> recognize(const Image& line) const;

 private:
  const Session& session_;
  const CharacterSet& charset_;
};

}  // namespace wisp::ocr
