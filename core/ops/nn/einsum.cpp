// Einsum. The equation is parsed into labels (letters, plus one synthetic label per ellipsis
// dim). Every input gets a stride per label (repeated labels add their strides, which walks the
// diagonal; broadcast dims of size 1 get stride 0). Each output element then sums the product
// of the inputs over all contracted label values. This direct loop is simple and exact; it is
// meant for the small contractions Einsum usually does in exported models.
#include <algorithm>
#include <map>

#include "core/ops/nn/float_io.h"
#include "core/ops/nn/nn_ops.h"

namespace wisp::nn {
namespace {

constexpr int kEllipsisBase = 1000;  // label codes of ellipsis dims: kEllipsisBase + k

struct Term {
  std::vector<int> labels;  // letters as chars; -1 marks the ellipsis
  bool has_ellipsis() const { return std::count(labels.begin(), labels.end(), -1) > 0; }
};

Result<Term> parse_term(const std::string& s) {
  Term t;
  for (size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    if (ch == '.') {
      WISP_CHECK_MODEL(s.compare(i, 3, "...") == 0, "malformed ellipsis in einsum term '", s, "'");
      WISP_CHECK_MODEL(!t.has_ellipsis(), "einsum term '", s, "' has two ellipses");
      t.labels.push_back(-1);
      i += 2;
    } else {
      WISP_CHECK_MODEL((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'), "invalid character '", ch,
                       "' in einsum equation");
      t.labels.push_back(ch);
    }
  }
  return t;
}

class EinsumOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(std::string eq, ctx.node.attr_string("equation", ""));
    std::string clean;
    for (char ch : eq) if (ch != ' ') clean += ch;
    WISP_CHECK_MODEL(!clean.empty(), "attribute 'equation' is required");
    size_t arrow = clean.find("->");
    std::string lhs = arrow == std::string::npos ? clean : clean.substr(0, arrow);
    explicit_output_ = arrow != std::string::npos;
    size_t start = 0;
    while (true) {
      size_t comma = lhs.find(',', start);
      WISP_ASSIGN_OR_RETURN(Term t, parse_term(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
      inputs_.push_back(t);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (explicit_output_) {
      WISP_ASSIGN_OR_RETURN(output_, parse_term(clean.substr(arrow + 2)));
    }
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    WISP_CHECK_ARG(ctx.num_inputs() == inputs_.size(), "einsum equation has ", inputs_.size(), " terms but the node has ",
                   ctx.num_inputs(), " inputs");
    const DType dtype = ctx.input(0).dtype();
    // Resolve ellipsis rank and label sizes.
    int ell_rank = 0;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      WISP_CHECK_ARG(ctx.has_input(i), "einsum input ", i, " is missing");
      WISP_CHECK_ARG(ctx.input(i).dtype() == dtype, "einsum inputs must share a dtype");
      const int64_t letters = int64_t(inputs_[i].labels.size()) - (inputs_[i].has_ellipsis() ? 1 : 0);
      const int64_t rank = ctx.input(i).rank();
      if (inputs_[i].has_ellipsis()) {
        WISP_CHECK_ARG(rank >= letters, "input ", i, " has rank ", rank, " but its einsum term needs at least ", letters);
        ell_rank = std::max<int>(ell_rank, int(rank - letters));
      } else {
        WISP_CHECK_ARG(rank == letters, "input ", i, " has rank ", rank, " but its einsum term has ", letters, " labels");
      }
    }
    std::map<int, int64_t> size;  // label -> extent
    std::vector<std::map<int, int64_t>> strides(inputs_.size());
    std::map<int, int> occurrences;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const Tensor& t = ctx.input(i);
      const std::vector<int64_t> st = t.strides();
      const int64_t letters = int64_t(inputs_[i].labels.size()) - (inputs_[i].has_ellipsis() ? 1 : 0);
      const int64_t my_ell = inputs_[i].has_ellipsis() ? t.rank() - letters : 0;
      int64_t axis = 0;
      auto add = [&](int label, int64_t ax) -> Status {
        const int64_t extent = t.dim(ax);
        auto it = size.find(label);
        if (it == size.end() || it->second == 1) {
          size[label] = extent;
        } else {
          WISP_CHECK_ARG(extent == it->second || extent == 1, "einsum dimension mismatch for label '",
                         label >= kEllipsisBase ? '.' : char(label), "': ", extent, " vs ", it->second);
        }
        if (extent != 1) strides[i][label] += st[size_t(ax)];
        else strides[i][label] += 0;
        return Status::ok();
      };
      for (int label : inputs_[i].labels) {
        if (label == -1) {
          // Right-align this input's ellipsis dims with the widest one.
          for (int64_t k = 0; k < my_ell; ++k) WISP_RETURN_IF_ERROR(add(kEllipsisBase + int(ell_rank - my_ell + k), axis++));
        } else {
          occurrences[label]++;
          WISP_RETURN_IF_ERROR(add(label, axis++));
        }
      }
    }
    for (int k = 0; k < ell_rank; ++k) size.emplace(kEllipsisBase + k, 1);
    // Output labels.
    std::vector<int> out_labels;
    if (explicit_output_) {
      for (int label : output_.labels) {
        if (label == -1) {
          for (int k = 0; k < ell_rank; ++k) out_labels.push_back(kEllipsisBase + k);
        } else {
          WISP_CHECK_ARG(occurrences.count(label), "einsum output label '", char(label), "' is not in any input");
          WISP_CHECK_ARG(std::count(out_labels.begin(), out_labels.end(), label) == 0, "einsum output label '",
                         char(label), "' is repeated");
          out_labels.push_back(label);
        }
      }
    } else {
      for (int k = 0; k < ell_rank; ++k) out_labels.push_back(kEllipsisBase + k);
      for (const auto& [label, n] : occurrences) if (n == 1) out_labels.push_back(label);  // map is sorted
    }
    std::vector<int> sum_labels;
    for (const auto& [label, extent] : size) {
      if (std::find(out_labels.begin(), out_labels.end(), label) == out_labels.end()) sum_labels.push_back(label);
    }
    Shape out_shape;
    for (int label : out_labels) out_shape.push_back(size[label]);
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, dtype, out_shape));

    // Flatten the per-label tables into arrays for the hot loop.
    const size_t n_in = inputs_.size();
    std::vector<int64_t> out_ext, sum_ext;
    std::vector<std::vector<int64_t>> out_str(n_in), sum_str(n_in);
    for (int label : out_labels) out_ext.push_back(size[label]);
    for (int label : sum_labels) sum_ext.push_back(size[label]);
    for (size_t i = 0; i < n_in; ++i) {
      for (int label : out_labels) out_str[i].push_back(strides[i].count(label) ? strides[i][label] : 0);
      for (int label : sum_labels) sum_str[i].push_back(strides[i].count(label) ? strides[i][label] : 0);
    }
    // The summed labels span a virtual tensor; bound it like a real one (several large
    // summed extents would otherwise overflow the count or loop practically forever).
    Result<int64_t> summed = checked_numel(sum_ext, ctx.limits().max_tensor_elements);
    if (!summed) return summed.status().with_context("the summed extents: ");
    const int64_t sum_count = summed.value();
    const int64_t out_count = out->numel();
    return visit_numeric(dtype, "input", [&](auto tag) -> Status {
      using T = decltype(tag);
      using IO = FloatIO<T>;
      using A = decltype(IO::load(T{}));
      std::vector<const T*> src(n_in);
      for (size_t i = 0; i < n_in; ++i) src[i] = ctx.input(i).template data<T>();
      T* dst = out->data<T>();
      parallel_for(ctx.threads(), out_count, chunk_for(sum_count * int64_t(n_in)), [&](int64_t lo, int64_t hi) {
        std::vector<int64_t> base(n_in), off(n_in), idx(sum_ext.size());
        for (int64_t o = lo; o < hi; ++o) {
          // Offsets of output element o in every input.
          std::fill(base.begin(), base.end(), 0);
          int64_t rem = o;
          for (size_t d = out_ext.size(); d-- > 0;) {
            const int64_t k = rem % out_ext[d];
            rem /= out_ext[d];
            for (size_t i = 0; i < n_in; ++i) base[i] += k * out_str[i][d];
          }
          double acc = 0;
          std::fill(idx.begin(), idx.end(), 0);
          off = base;
          for (int64_t s = 0; s < sum_count; ++s) {
            double prod = 1;
            for (size_t i = 0; i < n_in; ++i) prod *= double(IO::load(src[i][off[i]]));
            acc += prod;
            // Odometer step over the summed labels, keeping offsets in sync.
            for (size_t d = sum_ext.size(); d-- > 0;) {
              for (size_t i = 0; i < n_in; ++i) off[i] += sum_str[i][d];
              if (++idx[d] < sum_ext[d]) break;
              for (size_t i = 0; i < n_in; ++i) off[i] -= sum_str[i][d] * sum_ext[d];
              idx[d] = 0;
            }
          }
          dst[o] = IO::store(A(acc));
        }
      });
      return Status::ok();
    });
  }

 private:
  std::vector<Term> inputs_;
  Term output_;
  bool explicit_output_ = false;
};

}  // namespace

void register_einsum_kernels(OpRegistry& r) { r.add<EinsumOp>("Einsum"); }

}  // namespace wisp::nn
