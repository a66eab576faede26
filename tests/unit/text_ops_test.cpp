// Unit tests of StringNormalizer and TfIdfVectorizer beyond the ONNX backend cases (which use
// only TF mode, integer pools and no weights): stop words with case changes, the all-removed
// output, IDF / TFIDF weighting with a string pool, skips, and attribute errors.
#include "tests/unit/op_test_util.h"

using namespace wisp;
using namespace wisp::testing;

namespace {

// OpTest has no setter for a list of strings.
void set_strings(OpTest& t, const std::string& key, std::vector<std::string> v) {
  Attribute a;
  a.kind = Attribute::Kind::Strings;
  a.strings = std::move(v);
  t.attributes[key] = a;
}

OpTest normalizer(const Tensor& x, std::vector<std::string> stopwords, const std::string& action,
                  int64_t case_sensitive) {
  OpTest t{"StringNormalizer"};
  t.opset = 10;
  t.inputs = {x};
  if (!stopwords.empty()) set_strings(t, "stopwords", std::move(stopwords));
  t.attr("case_change_action", action);
  t.attr("is_case_sensitive", case_sensitive);
  return t;
}

void check_strings(const Tensor& actual, const Shape& shape, const std::vector<std::string>& expected) {
  REQUIRE(actual.dtype() == DType::String);
  REQUIRE(actual.shape() == shape);
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO("element " << i);
    CHECK(actual.strings()[i] == expected[i]);
  }
}

Tensor strs(Shape shape, std::vector<std::string> v) { return Tensor::from_strings(std::move(shape), std::move(v)); }

// The pool used by the TfIdfVectorizer tests: 3 unigrams then 2 bigrams,
//   pool n-gram 0: "a"   1: "b"   2: "c"   3: "a b"   4: "b c"
OpTest tfidf(const Tensor& x, const std::string& mode, std::vector<float> weights = {},
             std::vector<int64_t> indexes = {0, 1, 2, 3, 4}) {
  OpTest t{"TfIdfVectorizer"};
  t.opset = 9;
  t.inputs = {x};
  t.attr("mode", mode);
  t.attr("min_gram_length", int64_t(1));
  t.attr("max_gram_length", int64_t(2));
  t.attr("max_skip_count", int64_t(0));
  t.attr("ngram_counts", std::vector<int64_t>{0, 3});
  t.attr("ngram_indexes", std::move(indexes));
  set_strings(t, "pool_strings", {"a", "b", "c", "a", "b", "b", "c"});
  if (!weights.empty()) t.attr("weights", std::move(weights));
  return t;
}

Tensor f32(Shape shape, std::vector<float> v) { return Tensor::from_vector<float>(std::move(shape), v); }

}  // namespace

TEST_CASE("StringNormalizer: stop words and case changes", "[text]") {
  const Tensor x = strs({6}, {"The", "quick", "a", "Fox", "THE", "jumps"});
  SECTION("case-insensitive stop words, lower-cased output") {
    // "The", "a" and "THE" all match the stop words {"the", "A"} ignoring case.
    check_strings(run_ok(normalizer(x, {"the", "A"}, "LOWER", 0))[0], {3}, {"quick", "fox", "jumps"});
  }
  SECTION("case-sensitive stop words, upper-cased output") {
    // Only the exact "a" matches; "The" / "THE" differ in case from "the".
    check_strings(run_ok(normalizer(x, {"the", "a"}, "UPPER", 1))[0], {5}, {"THE", "QUICK", "FOX", "THE", "JUMPS"});
    // A stop word in upper case matches only upper-case input when case-sensitive.
    check_strings(run_ok(normalizer(x, {"THE"}, "NONE", 1))[0], {5}, {"The", "quick", "a", "Fox", "jumps"});
  }
  SECTION("no stop words, no case change: the input unchanged") {
    check_strings(run_ok(normalizer(x, {}, "NONE", 0))[0], {6}, {"The", "quick", "a", "Fox", "THE", "jumps"});
  }
  SECTION("[1, C] input keeps its leading 1") {
    const Tensor x2 = strs({1, 4}, {"Hello", "to", "The", "World"});
    check_strings(run_ok(normalizer(x2, {"to", "the"}, "UPPER", 0))[0], {1, 2}, {"HELLO", "WORLD"});
  }
  SECTION("only ASCII letters change case; other bytes are kept") {
    // "É" is the two bytes C3 89 and "ü" C3 BC: they must come out byte-identical.
    check_strings(run_ok(normalizer(strs({2}, {"Ébc-ü1", "MiXeD_9"}), {}, "LOWER", 0))[0], {2},
                  {"Ébc-ü1", "mixed_9"});
    check_strings(run_ok(normalizer(strs({2}, {"Ébc-ü1", "MiXeD_9"}), {}, "UPPER", 0))[0], {2},
                  {"ÉBC-ü1", "MIXED_9"});
  }
}

TEST_CASE("StringNormalizer: every string removed gives one empty string", "[text]") {
  check_strings(run_ok(normalizer(strs({3}, {"the", "THE", "A"}), {"the", "a"}, "LOWER", 0))[0], {1}, {""});
  check_strings(run_ok(normalizer(strs({1, 2}, {"x", "y"}), {"y", "x"}, "NONE", 1))[0], {1, 1}, {""});
  // An empty input has nothing to keep either.
  check_strings(run_ok(normalizer(strs({0}, {}), {"x"}, "NONE", 0))[0], {1}, {""});
}

TEST_CASE("StringNormalizer: errors", "[text]") {
  CHECK_THAT(run_err(normalizer(strs({1}, {"a"}), {}, "TITLE", 0)).message(), Catch::Contains("case_change_action"));
  CHECK_THAT(run_err(normalizer(strs({2, 2}, {"a", "b", "c", "d"}), {}, "NONE", 0)).message(),
             Catch::Contains("[1, C]"));
  CHECK_THAT(run_err(normalizer(f32({2}, {1, 2}), {}, "NONE", 0)).message(), Catch::Contains("string"));
}

TEST_CASE("TfIdfVectorizer: TF, IDF and TFIDF with weights and a string pool", "[text]") {
  // Row 0: a b c a b d -> "a" 2, "b" 2, "c" 1, "a b" 2 (at 0 and 3), "b c" 1 (at 1)
  // Row 1: c c d b a a -> "a" 2, "b" 1, "c" 2, "a b" 0, "b c" 0 ("b a" is not "a b")
  const Tensor x = strs({2, 6}, {"a", "b", "c", "a", "b", "d", "c", "c", "d", "b", "a", "a"});
  const std::vector<float> w = {0.5f, 2.0f, 1.0f, 3.0f, 0.25f};
  SECTION("TF: the counts") {
    check_tensor(run_ok(tfidf(x, "TF"))[0], f32({2, 5}, {2, 2, 1, 2, 1, 2, 1, 2, 0, 0}));
    // Weights do not apply in TF mode.
    check_tensor(run_ok(tfidf(x, "TF", w))[0], f32({2, 5}, {2, 2, 1, 2, 1, 2, 1, 2, 0, 0}));
  }
  SECTION("IDF: the weight of each n-gram present, whatever its count") {
    // Row 0: all present -> w = 0.5, 2, 1, 3, 0.25; row 1: the bigrams are absent -> 0.
    check_tensor(run_ok(tfidf(x, "IDF", w))[0], f32({2, 5}, {0.5f, 2, 1, 3, 0.25f, 0.5f, 2, 1, 0, 0}));
    // No weights: all ones, i.e. 1 for present and 0 for absent n-grams.
    check_tensor(run_ok(tfidf(x, "IDF"))[0], f32({2, 5}, {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}));
  }
  SECTION("TFIDF: count times weight") {
    // Row 0: 2*0.5 = 1, 2*2 = 4, 1*1 = 1, 2*3 = 6, 1*0.25 = 0.25
    // Row 1: 2*0.5 = 1, 1*2 = 2, 2*1 = 2, 0, 0
    check_tensor(run_ok(tfidf(x, "TFIDF", w))[0], f32({2, 5}, {1, 4, 1, 6, 0.25f, 1, 2, 2, 0, 0}));
    // No weights: TFIDF is TF.
    check_tensor(run_ok(tfidf(x, "TFIDF"))[0], f32({2, 5}, {2, 2, 1, 2, 1, 2, 1, 2, 0, 0}));
  }
  SECTION("1-D input gives a 1-D output") {
    // Row 0 alone: TFIDF as above.
    const Tensor row = strs({6}, {"a", "b", "c", "a", "b", "d"});
    check_tensor(run_ok(tfidf(row, "TFIDF", w))[0], f32({5}, {1, 4, 1, 6, 0.25f}));
  }
  SECTION("ngram_indexes places each pool n-gram; weights follow the pool order") {
    // The spec: "the i-th element in weights is the weight of the i-th n-gram in pool", and
    // pool n-gram i goes to output slot ngram_indexes[i]. Reversed slots, row 0, TFIDF:
    //   slot 4 <- "a" 2*0.5 = 1, slot 3 <- "b" 2*2 = 4, slot 2 <- "c" 1*1 = 1,
    //   slot 1 <- "a b" 2*3 = 6, slot 0 <- "b c" 1*0.25 = 0.25
    const Tensor row = strs({6}, {"a", "b", "c", "a", "b", "d"});
    check_tensor(run_ok(tfidf(row, "TFIDF", w, {4, 3, 2, 1, 0}))[0], f32({5}, {0.25f, 6, 1, 4, 1}));
    // Slots beyond the pool stay 0: the output has max(ngram_indexes) + 1 = 7 slots.
    check_tensor(run_ok(tfidf(row, "TF", {}, {0, 6, 1, 2, 3}))[0], f32({7}, {2, 1, 2, 1, 0, 0, 2}));
  }
  SECTION("only n-grams within [min_gram_length, max_gram_length] count") {
    OpTest t = tfidf(x, "TFIDF", w);
    t.attr("min_gram_length", int64_t(2));  // bigrams only: row 0 gives 6 and 0.25, row 1 nothing
    check_tensor(run_ok(t)[0], f32({2, 5}, {0, 0, 0, 6, 0.25f, 0, 0, 0, 0, 0}));
    t.attr("min_gram_length", int64_t(1));
    t.attr("max_gram_length", int64_t(1));  // unigrams only
    check_tensor(run_ok(t)[0], f32({2, 5}, {1, 4, 1, 0, 0, 1, 2, 2, 0, 0}));
  }
  SECTION("skips: bigrams over up to max_skip_count items; unigrams counted once") {
    // a c b c: adjacent pairs "a c", "c b", "b c" -> "b c" 1; with skip 1 also (a, b) at 0 and 2
    // -> "a b" 1, and (c, c). Unigrams: a 1, b 1, c 2, whatever the skip.
    const Tensor s = strs({4}, {"a", "c", "b", "c"});
    check_tensor(run_ok(tfidf(s, "TF"))[0], f32({5}, {1, 1, 2, 0, 1}));
    OpTest t = tfidf(s, "TF");
    t.attr("max_skip_count", int64_t(1));
    check_tensor(run_ok(t)[0], f32({5}, {1, 1, 2, 1, 1}));
    // Skip 2 adds (a, c) at 0 and 3 only: no change.
    t.attr("max_skip_count", int64_t(2));
    check_tensor(run_ok(t)[0], f32({5}, {1, 1, 2, 1, 1}));
  }
}

TEST_CASE("TfIdfVectorizer: integer pool with int64 and int32 input", "[text]") {
  // Pool: unigrams 7, 9; bigram (7, 9). Input 7 9 7 9 9 -> 7: 2, 9: 3, (7 9): 2.
  OpTest t{"TfIdfVectorizer"};
  t.opset = 9;
  t.attr("mode", std::string("TFIDF"));
  t.attr("min_gram_length", int64_t(1));
  t.attr("max_gram_length", int64_t(2));
  t.attr("max_skip_count", int64_t(0));
  t.attr("ngram_counts", std::vector<int64_t>{0, 2});
  t.attr("ngram_indexes", std::vector<int64_t>{0, 1, 2});
  t.attr("pool_int64s", std::vector<int64_t>{7, 9, 7, 9});
  t.attr("weights", std::vector<float>{1.5f, 0.5f, 10.0f});
  // 2 * 1.5 = 3, 3 * 0.5 = 1.5, 2 * 10 = 20
  t.inputs = {Tensor::from_vector<int64_t>({5}, {7, 9, 7, 9, 9})};
  check_tensor(run_ok(t)[0], f32({3}, {3, 1.5f, 20}));
  t.inputs = {Tensor::from_vector<int32_t>({5}, {7, 9, 7, 9, 9})};
  check_tensor(run_ok(t)[0], f32({3}, {3, 1.5f, 20}));
}

TEST_CASE("TfIdfVectorizer: bad attributes and inputs are errors", "[text]") {
  const Tensor x = strs({3}, {"a", "b", "c"});
  auto message_of = [](const OpTest& t) { return run_err(t).message(); };
  SECTION("missing required attributes") {
    for (const char* name : {"mode", "min_gram_length", "max_gram_length", "max_skip_count", "ngram_counts",
                             "ngram_indexes"}) {
      INFO(name);
      OpTest t = tfidf(x, "TF");
      t.attributes.erase(name);
      CHECK_THAT(message_of(t), Catch::Contains(name));
    }
  }
  SECTION("bad values") {
    CHECK_THAT(message_of(tfidf(x, "BM25")), Catch::Contains("mode"));
    OpTest t = tfidf(x, "TF");
    t.attr("min_gram_length", int64_t(3));  // above max_gram_length 2
    CHECK_THAT(message_of(t), Catch::Contains("min_gram_length"));
    t = tfidf(x, "TF");
    t.attr("min_gram_length", int64_t(0));
    CHECK_THAT(message_of(t), Catch::Contains("min_gram_length"));
    t = tfidf(x, "TF");
    t.attr("max_skip_count", int64_t(-1));
    CHECK_THAT(message_of(t), Catch::Contains("max_skip_count"));
    // Weights must have one value per pool n-gram.
    CHECK_THAT(message_of(tfidf(x, "TFIDF", {1, 2, 3})), Catch::Contains("weights"));
    // ngram_indexes: one per pool n-gram, none negative.
    CHECK_THAT(message_of(tfidf(x, "TF", {}, {0, 1, 2, 3})), Catch::Contains("ngram_indexes"));
    CHECK_THAT(message_of(tfidf(x, "TF", {}, {0, 1, 2, 3, 4, 5})), Catch::Contains("ngram_indexes"));
    CHECK_THAT(message_of(tfidf(x, "TF", {}, {0, 1, -2, 3, 4})), Catch::Contains("ngram_indexes"));
  }
  SECTION("pool layout") {
    OpTest t = tfidf(x, "TF");
    t.attr("ngram_counts", std::vector<int64_t>{1, 3});  // must start at 0
    CHECK_THAT(message_of(t), Catch::Contains("ngram_counts"));
    t.attr("ngram_counts", std::vector<int64_t>{0, 2});  // bigram segment of 5 items: not pairs
    CHECK_THAT(message_of(t), Catch::Contains("multiple"));
    t.attr("ngram_counts", std::vector<int64_t>{0, 9});  // past the end of the pool
    CHECK_THAT(message_of(t), Catch::Contains("ngram_counts"));
    // The same n-gram twice.
    t = tfidf(x, "TF");
    set_strings(t, "pool_strings", {"a", "b", "a", "a", "b", "b", "c"});
    CHECK_THAT(message_of(t), Catch::Contains("twice"));
    // Both pools, or none.
    t = tfidf(x, "TF");
    t.attr("pool_int64s", std::vector<int64_t>{1, 2, 3, 1, 2, 2, 3});
    CHECK_THAT(message_of(t), Catch::Contains("pool"));
    t.attributes.erase("pool_int64s");
    t.attributes.erase("pool_strings");
    CHECK_THAT(message_of(t), Catch::Contains("pool"));
  }
  SECTION("input type and rank") {
    CHECK_THAT(message_of(tfidf(Tensor::from_vector<int64_t>({2}, {1, 2}), "TF")), Catch::Contains("string"));
    CHECK_THAT(message_of(tfidf(strs({1, 1, 3}, {"a", "b", "c"}), "TF")), Catch::Contains("[N, C]"));
  }
}
