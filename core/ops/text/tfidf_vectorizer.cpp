// TfIdfVectorizer (opset 9): counts, in each row of X ([C] or [N, C]), the n-grams listed in a
// pool, and writes one float per output slot ([K] or [N, K], K = max(ngram_indexes) + 1).
//
// The pool is a flat list (pool_int64s or pool_strings) laid out by length: ngram_counts[n-1]
// is the offset of the first n-gram of length n, which runs until the next offset (or the end).
// The j-th n-gram of the pool, counting across all lengths, is written to output slot
// ngram_indexes[j] with weight weights[j]. init() turns the pool into a trie, so counting walks
// the input once per (start, skip) pair and stops as soon as no pool n-gram can match.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/ops/op.h"
#include "core/ops/text/text_ops.h"

namespace wisp::text_ops {
namespace {

enum class Mode { TF, IDF, TFIDF };

// A trie of the pool n-grams; a node that ends an n-gram holds that n-gram's pool ordinal.
template <typename T>
class NgramTrie {
 public:
  static constexpr int32_t kRoot = 0;

  // Adds the n-gram seq[0..n) with ordinal `ordinal`; fails when the pool lists it twice.
  Status insert(const T* seq, int64_t n, int64_t ordinal) {
    int32_t node = kRoot;
    for (int64_t k = 0; k < n; ++k) {
      WISP_CHECK_MODEL(nodes_.size() < size_t(INT32_MAX), "the n-gram pool is too large");
      auto [it, added] = nodes_[size_t(node)].children.try_emplace(seq[k], int32_t(nodes_.size()));
      node = it->second;
      if (added) nodes_.emplace_back();
    }
    WISP_CHECK_MODEL(nodes_[size_t(node)].ordinal < 0, "the n-gram pool lists the same n-gram twice (pool n-grams ",
                     nodes_[size_t(node)].ordinal, " and ", ordinal, ")");
    nodes_[size_t(node)].ordinal = ordinal;
    return Status::ok();
  }
  // The child of `node` reached by `value`, or -1.
  int32_t child(int32_t node, const T& value) const {
    const auto& children = nodes_[size_t(node)].children;
    auto it = children.find(value);
    return it == children.end() ? -1 : it->second;
  }
  // The pool ordinal of the n-gram ending at `node`, or -1.
  int64_t ordinal(int32_t node) const { return nodes_[size_t(node)].ordinal; }

 private:
  struct Node {
    std::map<T, int32_t> children;
    int64_t ordinal = -1;
  };
  std::vector<Node> nodes_ = std::vector<Node>(1);
};

struct GramRange {
  int64_t min_len = 1, max_len = 1, max_skip = 0;
};

// Adds to counts[j] the occurrences in row[0..c) of pool n-gram j. An n-gram of length n with
// skip s takes the items at start, start+(s+1), ..., start+(n-1)(s+1); a unigram does not depend
// on the skip, so it is counted once per position (at s = 0).
template <typename T>
void count_row(const NgramTrie<T>& trie, const GramRange& g, const T* row, int64_t c, std::vector<int64_t>& counts) {
  for (int64_t start = 0; start < c; ++start) {
    for (int64_t skip = 0; skip <= g.max_skip; ++skip) {
      const int64_t step = skip + 1;
      // Past this skip no second item fits in the row; larger skips would only repeat unigrams.
      if (skip > 0 && (g.max_len < 2 || step >= c - start)) break;
      int32_t node = NgramTrie<T>::kRoot;
      int64_t pos = start;
      for (int64_t len = 1; len <= g.max_len && pos < c; ++len, pos += step) {
        node = trie.child(node, row[pos]);
        if (node < 0) break;
        if (len == 1 && skip > 0) continue;
        const int64_t j = trie.ordinal(node);
        if (len >= g.min_len && j >= 0) ++counts[size_t(j)];
        if (step > c - pos) break;  // the next position would pass the end (and could overflow)
      }
    }
  }
}

class TfIdfVectorizerOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    const Node& node = ctx.node;
    for (const char* name : {"mode", "min_gram_length", "max_gram_length", "max_skip_count", "ngram_counts",
                             "ngram_indexes"}) {
      WISP_CHECK_MODEL(node.has_attr(name), "attribute '", name, "' is required");
    }
    WISP_ASSIGN_OR_RETURN(std::string mode, node.attr_string("mode", ""));
    if (mode == "TF") mode_ = Mode::TF;
    else if (mode == "IDF") mode_ = Mode::IDF;
    else if (mode == "TFIDF") mode_ = Mode::TFIDF;
    else return invalid_model("mode must be TF, IDF or TFIDF, got '", mode, "'");

    WISP_ASSIGN_OR_RETURN(grams_.min_len, node.attr_int("min_gram_length", 1));
    WISP_ASSIGN_OR_RETURN(grams_.max_len, node.attr_int("max_gram_length", 1));
    WISP_ASSIGN_OR_RETURN(grams_.max_skip, node.attr_int("max_skip_count", 0));
    WISP_CHECK_MODEL(grams_.min_len >= 1 && grams_.max_len >= grams_.min_len, "need 1 <= min_gram_length (",
                     grams_.min_len, ") <= max_gram_length (", grams_.max_len, ")");
    WISP_CHECK_MODEL(grams_.max_skip >= 0, "max_skip_count must be >= 0, got ", grams_.max_skip);

    WISP_ASSIGN_OR_RETURN(ngram_indexes_, node.attr_ints("ngram_indexes"));
    output_size_ = 0;
    for (int64_t idx : ngram_indexes_) {
      WISP_CHECK_MODEL(idx >= 0 && idx < INT64_MAX, "ngram_indexes holds an invalid output index ", idx);
      output_size_ = std::max(output_size_, idx + 1);
    }
    WISP_ASSIGN_OR_RETURN(weights_, node.attr_floats("weights"));
    WISP_CHECK_MODEL(weights_.empty() || weights_.size() == ngram_indexes_.size(), "weights has ", weights_.size(),
                     " values but ngram_indexes has ", ngram_indexes_.size());

    WISP_ASSIGN_OR_RETURN(std::vector<int64_t> ngram_counts, node.attr_ints("ngram_counts"));
    const bool has_ints = node.has_attr("pool_int64s"), has_strings = node.has_attr("pool_strings");
    WISP_CHECK_MODEL(has_ints != has_strings, "exactly one of pool_int64s and pool_strings must be given");
    string_pool_ = has_strings;
    if (string_pool_) {
      WISP_ASSIGN_OR_RETURN(std::vector<std::string> pool, node.attr_strings("pool_strings"));
      return build_trie(pool, ngram_counts, string_trie_);
    }
    WISP_ASSIGN_OR_RETURN(std::vector<int64_t> pool, node.attr_ints("pool_int64s"));
    return build_trie(pool, ngram_counts, int_trie_);
  }

  Status run(OpContext& ctx) const override {
    WISP_CHECK_ARG(ctx.has_input(0), "TfIdfVectorizer needs input X");
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.rank() == 1 || x.rank() == 2, "X must have shape [C] or [N, C], got ", x.describe());
    if (string_pool_) {
      WISP_CHECK_ARG(x.dtype() == DType::String, "X must be a string tensor (the pool holds strings), got ",
                     x.describe());
    } else {
      WISP_CHECK_ARG(x.dtype() == DType::Int32 || x.dtype() == DType::Int64,
                     "X must be an int32 or int64 tensor (the pool holds integers), got ", x.describe());
    }
    const int64_t rows = x.rank() == 1 ? 1 : x.dim(0);
    const int64_t cols = x.dim(-1);
    const Shape out_shape = x.rank() == 1 ? Shape{output_size_} : Shape{rows, output_size_};
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, DType::Float32, out_shape));
    float* dst = out->data<float>();
    std::fill(dst, dst + out->numel(), 0.0f);

    if (string_pool_) {
      count_rows(ctx, string_trie_, x.strings(), rows, cols, dst);
    } else {
      WISP_ASSIGN_OR_RETURN(std::vector<int64_t> values, x.to_int64_vector());
      count_rows(ctx, int_trie_, values.data(), rows, cols, dst);
    }
    return Status::ok();
  }

 private:
  // Validates the pool layout described by ngram_counts and fills `trie`.
  template <typename T>
  Status build_trie(const std::vector<T>& pool, const std::vector<int64_t>& ngram_counts, NgramTrie<T>& trie) {
    const int64_t pool_size = int64_t(pool.size());
    WISP_CHECK_MODEL(ngram_counts.empty() ? pool.empty() : ngram_counts[0] == 0,
                     "ngram_counts must start at 0 so that it covers the whole pool");
    int64_t ordinal = 0;
    for (size_t i = 0; i < ngram_counts.size(); ++i) {
      const int64_t n = int64_t(i) + 1;  // the length of the n-grams in this segment
      const int64_t begin = ngram_counts[i];
      const int64_t end = i + 1 < ngram_counts.size() ? ngram_counts[i + 1] : pool_size;
      WISP_CHECK_MODEL(begin <= end && end <= pool_size, "ngram_counts must be non-decreasing offsets into the pool of ",
                       pool_size, " items, got ", begin, " then ", end);
      WISP_CHECK_MODEL((end - begin) % n == 0, "the pool segment of ", n, "-grams has ", end - begin,
                       " items, not a multiple of ", n);
      for (int64_t at = begin; at < end; at += n, ++ordinal) {
        WISP_CHECK_MODEL(ordinal < int64_t(ngram_indexes_.size()), "ngram_indexes has ", ngram_indexes_.size(),
                         " entries, fewer than the n-grams in the pool");
        WISP_RETURN_IF_ERROR(trie.insert(pool.data() + at, n, ordinal));
      }
    }
    WISP_CHECK_MODEL(ordinal == int64_t(ngram_indexes_.size()), "ngram_indexes has ", ngram_indexes_.size(),
                     " entries but the pool holds ", ordinal, " n-grams");
    return Status::ok();
  }

  // Counts the pool n-grams of each row of `x` (rows x cols) and writes the row's output slots.
  template <typename T>
  void count_rows(const OpContext& ctx, const NgramTrie<T>& trie, const T* x, int64_t rows, int64_t cols,
                  float* dst) const {
    parallel_for(ctx.threads(), rows, 1, [&](int64_t begin, int64_t end) {
      std::vector<int64_t> counts(ngram_indexes_.size());
      for (int64_t r = begin; r < end; ++r) {
        std::fill(counts.begin(), counts.end(), 0);
        count_row(trie, grams_, x + r * cols, cols, counts);
        float* row_out = dst + r * output_size_;
        for (size_t j = 0; j < counts.size(); ++j) {
          if (counts[j] == 0) continue;
          const float weight = weights_.empty() ? 1.0f : weights_[j];
          float value = 0;
          switch (mode_) {
            case Mode::TF: value = float(counts[j]); break;
            case Mode::IDF: value = weight; break;
            case Mode::TFIDF: value = float(counts[j]) * weight; break;
          }
          row_out[ngram_indexes_[j]] += value;
        }
      }
    });
  }

  Mode mode_ = Mode::TF;
  GramRange grams_;
  std::vector<int64_t> ngram_indexes_;  // output slot of each pool n-gram
  std::vector<float> weights_;          // per pool n-gram, empty for all ones
  int64_t output_size_ = 0;
  bool string_pool_ = false;
  NgramTrie<int64_t> int_trie_;
  NgramTrie<std::string> string_trie_;
};

}  // namespace

void register_tfidf_vectorizer_ops(OpRegistry& r) {
  r.add<TfIdfVectorizerOp>("TfIdfVectorizer", "", 9);
}

}  // namespace wisp::text_ops
