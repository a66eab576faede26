// Sequence operators: SequenceEmpty, SequenceConstruct, SequenceAt, SequenceInsert, SequenceErase,
// SequenceLength, SplitToSequence and ConcatFromSequence. Sequences are immutable shared lists of
// tensors (see core/tensor/value.h), so inserting or erasing builds a new list of the same
// tensors without copying their data.
#include "core/ops/control/control_ops.h"
#include "core/ops/control/control_util.h"
#include "core/ops/shape/shape_util.h"

namespace wisp::control {
namespace {

// A kernel whose inputs may be sequences; `sequence_input` checks and returns one.
class SequenceKernel : public OpKernel {
 public:
  bool takes_any_value() const override { return true; }

 protected:
  static Result<const Value*> sequence_input(const OpContext& ctx, size_t i) {
    WISP_CHECK_ARG(ctx.has_input(i) && ctx.input_value(i).is_sequence(), "input ", i, " must be a sequence, got ",
                   ctx.has_input(i) ? ctx.input_value(i).describe() : "nothing");
    return &ctx.input_value(i);
  }
  static Result<const Tensor*> tensor_input(const OpContext& ctx, size_t i) {
    WISP_CHECK_ARG(ctx.has_input(i) && ctx.input_value(i).is_tensor(), "input ", i, " must be a tensor, got ",
                   ctx.has_input(i) ? ctx.input_value(i).describe() : "nothing");
    return &ctx.input(i);
  }
  // The optional position input at `i`: `fallback` when absent; checked against [lo, hi].
  static Result<int64_t> position(const OpContext& ctx, size_t i, int64_t fallback, int64_t lo, int64_t hi) {
    if (!ctx.has_input(i)) return fallback;
    WISP_ASSIGN_OR_RETURN(const Tensor* t, tensor_input(ctx, i));
    WISP_ASSIGN_OR_RETURN(int64_t pos, read_int_scalar(*t, "the position"));
    WISP_CHECK_ARG(pos >= lo && pos <= hi, "position ", pos, " is out of range [", lo, ", ", hi, "]");
    return pos;
  }
};

class SequenceEmptyOp final : public SequenceKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(int64_t dt, ctx.node.attr_int("dtype", int64_t(DType::Float32)));
    WISP_CHECK_MODEL(dtype_is_known(int32_t(dt)), "unsupported dtype ", dt);
    dtype_ = DType(dt);
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    ctx.set_output_value(0, Value::sequence(dtype_, {}));
    return Status::ok();
  }

 private:
  DType dtype_ = DType::Float32;
};

class SequenceConstructOp final : public SequenceKernel {
 public:
  Status run(OpContext& ctx) const override {
    WISP_CHECK_ARG(ctx.num_inputs() >= 1, "SequenceConstruct needs at least one tensor");
    std::vector<Tensor> elements;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) {
      WISP_ASSIGN_OR_RETURN(const Tensor* t, tensor_input(ctx, i));
      WISP_CHECK_ARG(t->dtype() == ctx.input(0).dtype(), "all tensors must have one dtype: input ", i, " is ",
                     t->describe(), ", input 0 is ", ctx.input(0).describe());
      elements.push_back(*t);
    }
    ctx.set_output_value(0, Value::sequence(ctx.input(0).dtype(), std::move(elements)));
    return Status::ok();
  }
};

class SequenceAtOp final : public SequenceKernel {
 public:
  Status run(OpContext& ctx) const override {
    WISP_ASSIGN_OR_RETURN(const Value* seq, sequence_input(ctx, 0));
    const int64_t n = int64_t(seq->elements().size());
    WISP_CHECK_ARG(ctx.has_input(1), "SequenceAt needs a position");
    WISP_ASSIGN_OR_RETURN(int64_t pos, position(ctx, 1, 0, -n, n - 1));
    ctx.set_output(0, seq->elements()[size_t(pos < 0 ? pos + n : pos)]);
    return Status::ok();
  }
};

class SequenceInsertOp final : public SequenceKernel {
 public:
  Status run(OpContext& ctx) const override {
    WISP_ASSIGN_OR_RETURN(const Value* seq, sequence_input(ctx, 0));
    WISP_ASSIGN_OR_RETURN(const Tensor* t, tensor_input(ctx, 1));
    WISP_CHECK_ARG(t->dtype() == seq->element_type(), "cannot insert ", t->describe(), " into ", seq->describe());
    const int64_t n = int64_t(seq->elements().size());
    WISP_ASSIGN_OR_RETURN(int64_t pos, position(ctx, 2, n, -n, n));
    std::vector<Tensor> elements = seq->elements();
    elements.insert(elements.begin() + (pos < 0 ? pos + n : pos), *t);
    ctx.set_output_value(0, Value::sequence(seq->element_type(), std::move(elements)));
    return Status::ok();
  }
};

class SequenceEraseOp final : public SequenceKernel {
 public:
  Status run(OpContext& ctx) const override {
    WISP_ASSIGN_OR_RETURN(const Value* seq, sequence_input(ctx, 0));
    const int64_t n = int64_t(seq->elements().size());
    WISP_CHECK_ARG(n > 0, "cannot erase from an empty sequence");
    WISP_ASSIGN_OR_RETURN(int64_t pos, position(ctx, 1, n - 1, -n, n - 1));
    std::vector<Tensor> elements = seq->elements();
    elements.erase(elements.begin() + (pos < 0 ? pos + n : pos));
    ctx.set_output_value(0, Value::sequence(seq->element_type(), std::move(elements)));
    return Status::ok();
  }
};

class SequenceLengthOp final : public SequenceKernel {
 public:
  Status run(OpContext& ctx) const override {
    WISP_ASSIGN_OR_RETURN(const Value* seq, sequence_input(ctx, 0));
    WISP_ASSIGN_OR_RETURN(Tensor* out, ctx.allocate_output(0, DType::Int64, {}));
    *out->data<int64_t>() = int64_t(seq->elements().size());
    return Status::ok();
  }
};

// Copies `length` entries starting at `start` along `axis` of `t` into a new tensor.
Result<Tensor> slice_along(const Tensor& t, int64_t axis, int64_t start, int64_t length, const OpContext& ctx) {
  Shape shape = t.shape();
  shape[size_t(axis)] = length;
  WISP_ASSIGN_OR_RETURN(Tensor out, ctx.allocate(t.dtype(), shape));
  const int64_t outer = shape_ops::dims_product(t.shape(), 0, size_t(axis));
  const int64_t inner = shape_ops::dims_product(t.shape(), size_t(axis) + 1, t.shape().size());
  const int64_t extent = t.dim(axis);
  for (int64_t o = 0; o < outer; ++o) {
    copy_elements(t, (o * extent + start) * inner, out, o * length * inner, length * inner);
  }
  return out;
}

class SplitToSequenceOp final : public SequenceKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", 0));
    WISP_ASSIGN_OR_RETURN(keepdims_, ctx.node.attr_int("keepdims", 1));
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    WISP_ASSIGN_OR_RETURN(const Tensor* input, tensor_input(ctx, 0));
    const Tensor& x = *input;
    WISP_CHECK_ARG(x.rank() >= 1, "cannot split a scalar");
    WISP_ASSIGN_OR_RETURN(int64_t axis, shape_ops::checked_index(axis_, x.rank(), "axis"));
    const int64_t extent = x.dim(axis);
    std::vector<int64_t> lengths;
    bool squeeze = false;
    if (!ctx.has_input(1)) {  // one piece per index, squeezed unless keepdims
      lengths.assign(size_t(extent), 1);
      squeeze = keepdims_ == 0;
    } else {
      WISP_ASSIGN_OR_RETURN(const Tensor* split_t, tensor_input(ctx, 1));
      WISP_ASSIGN_OR_RETURN(std::vector<int64_t> split, shape_ops::read_int64s(*split_t, "split"));
      if (split_t->rank() == 0) {  // equal pieces of split[0], the last one possibly shorter
        WISP_CHECK_ARG(split[0] > 0, "split must be positive, got ", split[0]);
        for (int64_t at = 0; at < extent; at += split[0]) lengths.push_back(std::min(split[0], extent - at));
      } else {
        int64_t total = 0;
        for (int64_t len : split) {
          WISP_CHECK_ARG(len >= 0, "split lengths must not be negative, got ", len);
          total += len;
        }
        WISP_CHECK_ARG(total == extent, "split lengths sum to ", total, " but axis ", axis, " has ", extent);
        lengths = split;
      }
    }
    WISP_CHECK_ARG(int64_t(lengths.size()) <= ctx.limits().max_tensor_elements, "too many pieces");
    std::vector<Tensor> pieces;
    int64_t at = 0;
    for (int64_t len : lengths) {
      WISP_ASSIGN_OR_RETURN(Tensor piece, slice_along(x, axis, at, len, ctx));
      if (squeeze) {
        Shape shape = piece.shape();
        shape.erase(shape.begin() + axis);
        WISP_ASSIGN_OR_RETURN(piece, piece.reshaped(shape));
      }
      pieces.push_back(std::move(piece));
      at += len;
    }
    ctx.set_output_value(0, Value::sequence(x.dtype(), std::move(pieces)));
    return Status::ok();
  }

 private:
  int64_t axis_ = 0, keepdims_ = 1;
};

class ConcatFromSequenceOp final : public SequenceKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_CHECK_MODEL(ctx.node.has_attr("axis"), "ConcatFromSequence needs the axis attribute");
    WISP_ASSIGN_OR_RETURN(axis_, ctx.node.attr_int("axis", 0));
    WISP_ASSIGN_OR_RETURN(new_axis_, ctx.node.attr_int("new_axis", 0));
    return Status::ok();
  }
  Status run(OpContext& ctx) const override {
    WISP_ASSIGN_OR_RETURN(const Value* seq, sequence_input(ctx, 0));
    const std::vector<Tensor>& items = seq->elements();
    WISP_CHECK_ARG(!items.empty(), "cannot concatenate an empty sequence");
    const Tensor& first = items.front();
    // With new_axis the pieces are stacked, so one more axis position is valid.
    const int64_t out_rank = first.rank() + (new_axis_ ? 1 : 0);
    WISP_CHECK_ARG(out_rank >= 1, "cannot concatenate scalars without new_axis");
    WISP_ASSIGN_OR_RETURN(int64_t axis, shape_ops::checked_index(axis_, out_rank, "axis"));
    for (const Tensor& t : items) {
      WISP_CHECK_ARG(t.dtype() == first.dtype() && t.rank() == first.rank(), "sequence elements ",
                     first.describe(), " and ", t.describe(), " cannot be concatenated");
      for (int64_t d = 0; d < first.rank(); ++d) {
        WISP_CHECK_ARG(t.dim(d) == first.dim(d) || (!new_axis_ && d == axis), "sequence elements ",
                       first.describe(), " and ", t.describe(), " differ outside the concatenation axis");
      }
    }
    if (new_axis_) {
      WISP_ASSIGN_OR_RETURN(Tensor out, stack_slices(items, axis, ctx));
      ctx.set_output(0, std::move(out));
      return Status::ok();
    }
    Shape shape = first.shape();
    shape[size_t(axis)] = 0;
    for (const Tensor& t : items) shape[size_t(axis)] += t.dim(axis);
    WISP_ASSIGN_OR_RETURN(Tensor* out, ctx.allocate_output(0, first.dtype(), shape));
    const int64_t outer = shape_ops::dims_product(shape, 0, size_t(axis));
    const int64_t inner = shape_ops::dims_product(shape, size_t(axis) + 1, shape.size());
    const int64_t row = shape[size_t(axis)] * inner;
    int64_t offset = 0;  // of the current piece within one output row
    for (const Tensor& t : items) {
      const int64_t chunk = t.dim(axis) * inner;
      for (int64_t o = 0; o < outer; ++o) copy_elements(t, o * chunk, *out, o * row + offset, chunk);
      offset += chunk;
    }
    return Status::ok();
  }

 private:
  int64_t axis_ = 0, new_axis_ = 0;
};

}  // namespace

void add_sequence_ops(OpRegistry& registry) {
  registry.add<SequenceEmptyOp>("SequenceEmpty");
  registry.add<SequenceConstructOp>("SequenceConstruct");
  registry.add<SequenceAtOp>("SequenceAt");
  registry.add<SequenceInsertOp>("SequenceInsert");
  registry.add<SequenceEraseOp>("SequenceErase");
  registry.add<SequenceLengthOp>("SequenceLength");
  registry.add<SplitToSequenceOp>("SplitToSequence");
  registry.add<ConcatFromSequenceOp>("ConcatFromSequence");
}

}  // namespace wisp::control
