// StringNormalizer (opset 10): removes stop words from a string tensor of shape [C] or [1, C],
// then optionally changes the case of what remains.
//
// Case mapping is ASCII only: the `locale` attribute is read but ignored, and bytes outside
// A-Z / a-z (including every byte of a multi-byte UTF-8 character) are left untouched.
#include <string>
#include <unordered_set>
#include <vector>

#include "core/ops/op.h"
#include "core/ops/text/text_ops.h"

namespace wisp::text_ops {
namespace {

enum class CaseChange { None, Lower, Upper };

std::string ascii_lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return s;
}

std::string ascii_upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  }
  return s;
}

class StringNormalizerOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(std::string action, ctx.node.attr_string("case_change_action", "NONE"));
    if (action == "NONE") case_change_ = CaseChange::None;
    else if (action == "LOWER") case_change_ = CaseChange::Lower;
    else if (action == "UPPER") case_change_ = CaseChange::Upper;
    else return invalid_model("case_change_action must be NONE, LOWER or UPPER, got '", action, "'");

    WISP_ASSIGN_OR_RETURN(int64_t sensitive, ctx.node.attr_int("is_case_sensitive", 0));
    case_sensitive_ = sensitive != 0;
    // Read only to reject a malformed attribute; the mapping is ASCII whatever the locale.
    WISP_ASSIGN_OR_RETURN(std::string locale, ctx.node.attr_string("locale", ""));
    (void)locale;

    WISP_ASSIGN_OR_RETURN(std::vector<std::string> stopwords, ctx.node.attr_strings("stopwords"));
    // Case-insensitive matching compares lower-cased forms, so store the stop words that way.
    for (std::string& w : stopwords) stopwords_.insert(case_sensitive_ ? std::move(w) : ascii_lower(std::move(w)));
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    WISP_CHECK_ARG(ctx.has_input(0), "StringNormalizer needs input X");
    const Tensor& x = ctx.input(0);
    WISP_CHECK_ARG(x.dtype() == DType::String, "X must be a string tensor, got ", x.describe());
    WISP_CHECK_ARG(x.rank() == 1 || (x.rank() == 2 && x.dim(0) == 1), "X must have shape [C] or [1, C], got ",
                   x.describe());

    std::vector<std::string> kept;
    const std::string* in = x.strings();
    for (int64_t i = 0; i < x.numel(); ++i) {
      if (is_stopword(in[i])) continue;
      switch (case_change_) {
        case CaseChange::None: kept.push_back(in[i]); break;
        case CaseChange::Lower: kept.push_back(ascii_lower(in[i])); break;
        case CaseChange::Upper: kept.push_back(ascii_upper(in[i])); break;
      }
    }
    // The spec forbids an empty output: when every string was removed, return a single "".
    if (kept.empty()) kept.emplace_back();

    const int64_t c = int64_t(kept.size());
    Shape out_shape = x.rank() == 1 ? Shape{c} : Shape{1, c};
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, DType::String, out_shape));
    std::string* dst = out->strings();
    for (int64_t i = 0; i < c; ++i) dst[i] = std::move(kept[size_t(i)]);
    return Status::ok();
  }

 private:
  bool is_stopword(const std::string& s) const {
    if (stopwords_.empty()) return false;
    return stopwords_.count(case_sensitive_ ? s : ascii_lower(s)) != 0;
  }

  CaseChange case_change_ = CaseChange::None;
  bool case_sensitive_ = false;
  std::unordered_set<std::string> stopwords_;
};

}  // namespace

void register_string_normalizer_ops(OpRegistry& r) {
  r.add<StringNormalizerOp>("StringNormalizer", "", 10);
}

}  // namespace wisp::text_ops
