// OCR pre/post-processing on synthetic data (the full pipeline runs in tests/cli).
#include <catch2/catch.hpp>

#include "core/pipelines/ocr/text_detector.h"
#include "core/pipelines/ocr/text_recognizer.h"

using namespace wisp::ocr;

TEST_CASE("probability map regions become grown boxes in reading order", "[ocr]") {
  const int w = 64, h = 32;
  std::vector<float> prob(w * h, 0.0f);
  auto fill = [&](int x0, int y0, int x1, int y1, float v) {
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) prob[y * w + x] = v;
  };
  fill(40, 4, 60, 10, 0.9f);  // right box, first line
  fill(4, 5, 30, 11, 0.9f);   // left box, first line
  fill(4, 20, 30, 26, 0.9f);  // second line
  fill(50, 20, 52, 22, 0.9f); // too small: dropped
  fill(4, 28, 30, 31, 0.4f);  // above pixel threshold but below box threshold: dropped
  DetectorOptions options;
  auto boxes = boxes_from_probability_map(prob.data(), w, h, 2.0, 2.0, 2 * w, 2 * h, options);
  REQUIRE(boxes.size() == 3);
  CHECK(boxes[0].rect.x0 < boxes[1].rect.x0);  // left box before right box on the same line
  CHECK(boxes[2].rect.y0 > boxes[0].rect.y1 - 10);
  // 26x6 region grown by 26*6*1.5/(2*32) = 3.66 pixels, then scaled by 2.
  CHECK(boxes[0].rect.x0 == 0);
  CHECK(boxes[0].rect.y0 == int(std::floor((5 - 3.65625) * 2)));
  CHECK(boxes[0].score == Approx(0.9f));
}

TEST_CASE("greedy CTC decoding merges repeats and drops blanks", "[ocr]") {
  CharacterSet set;
  set.characters = {"a", "b", " "};
  // steps: a a blank a b b -> "aab"
  const int classes = 4;
  std::vector<int> best = {1, 1, 0, 1, 2, 2};
  std::vector<float> probs(best.size() * classes, 0.1f);
  for (size_t t = 0; t < best.size(); ++t) probs[t * classes + best[t]] = 0.7f;
  RecognizedText text = ctc_greedy_decode(probs.data(), int64_t(best.size()), classes, set);
  CHECK(text.text == "aab");
  CHECK(text.score == Approx(0.7f));
}

TEST_CASE("image decoding rejects garbage", "[ocr]") {
  const uint8_t garbage[] = {1, 2, 3, 4, 5, 6, 7, 8};
  auto image = decode_image(garbage, sizeof garbage);
  REQUIRE(!image.is_ok());
  CHECK(image.status().message().find("cannot decode image") != std::string::npos);
}
