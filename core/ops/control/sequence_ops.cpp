// Sequence- and optional-typed values are not part of Wisp's tensor-only value model yet.
// Registering these ops lets the loader accept the model and then fail at compile time with a
// message that names the real limitation instead of a generic "unknown operator".
#include "core/ops/control/control_ops.h"
#include "core/ops/op.h"

namespace wisp::control {
namespace {

class UnsupportedSequenceOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    return unsupported("sequence and optional values (", ctx.node.op_type, ") are not supported yet");
  }
  Status run(OpContext&) const override { return unsupported("sequence and optional values are not supported"); }
};

}  // namespace

void add_sequence_ops(OpRegistry& registry) {
  for (const char* op : {"SequenceConstruct", "SequenceEmpty", "SequenceAt", "SequenceInsert", "SequenceErase",
                         "SequenceLength", "SequenceMap", "SplitToSequence", "ConcatFromSequence", "Optional",
                         "OptionalHasElement", "OptionalGetElement"}) {
    registry.add<UnsupportedSequenceOp>(op);
  }
}

}  // namespace wisp::control
