// The operator interface. Every operator is a class deriving from OpKernel, created once per
// node when a model is loaded (init() reads and validates attributes, may prepack constant
// inputs) and run many times (run() must not modify the kernel: one model may be run from
// several threads at once).
//
// To add an operator: write the class in the core/ops/<family>/ file that fits, and add one
// line `registry.add<MyOp>("MyOp");` to that family's register_<family>_ops() function.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/graph/graph.h"
#include "core/runtime/limits.h"
#include "core/runtime/thread_pool.h"
#include "core/tensor/tensor.h"
#include "core/tensor/value.h"

namespace wisp {

class Plan;

// What an op sees while it is created.
struct OpBuildContext {
  const Node& node;
  int64_t opset = 0;  // version of the node's domain imported by the model
  const Model* model = nullptr;
  // Initializers of the enclosing graph, to find constant inputs (e.g. weights to prepack).
  const std::map<std::string, Tensor>* constants = nullptr;
  // Compiles a subgraph attribute (If/Loop/Scan bodies) against the values visible here.
  std::function<Result<std::shared_ptr<Plan>>(const Graph&)> compile_subgraph;

  // The constant tensor feeding input `i`, or nullptr when it is computed at run time.
  const Tensor* constant_input(size_t i) const;
};

// Resolves names of enclosing scopes for subgraphs.
class ValueScope {
 public:
  virtual ~ValueScope() = default;
  virtual const Value* find(const std::string& name) const = 0;
};

// What an op sees while it runs.
class OpContext {
 public:
  OpContext(const Node& node, std::vector<const Value*> inputs, std::vector<Value>& outputs,
            Allocator& allocator, ThreadPool* threads, const Limits& limits, const ValueScope* scope)
      : node_(node), inputs_(std::move(inputs)), outputs_(outputs), allocator_(allocator),
        threads_(threads), limits_(limits), scope_(scope) {}

  const Node& node() const { return node_; }
  size_t num_inputs() const { return inputs_.size(); }
  size_t num_outputs() const { return outputs_.size(); }
  // False when input `i` is beyond the node's inputs or was given as "".
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  // Input `i` as a tensor. The executor only passes sequences and empty optionals to kernels
  // that accept them (OpKernel::takes_any_value), so elsewhere every input is a tensor.
  const Tensor& input(size_t i) const { return inputs_[i]->tensor(); }
  const Value& input_value(size_t i) const { return *inputs_[i]; }
  // Inputs the executor will free after this node (so the op may reuse their storage).
  bool input_is_dying(size_t i) const;
  // True when output `i` is wanted (its name is not "").
  bool wants_output(size_t i) const { return i < node_.outputs.size() && !node_.outputs[i].empty(); }
  void set_output(size_t i, Tensor t) { outputs_[i] = Value(std::move(t)); }
  void set_output_value(size_t i, Value v) { outputs_[i] = std::move(v); }

  // Allocates an uninitialised tensor from the run's buffer pool, within the limits.
  Result<Tensor> allocate(DType dtype, const Shape& shape) const {
    return Tensor::empty(dtype, shape, allocator_, limits_.max_tensor_elements);
  }
  // Allocates output `i` with the given type and shape and returns a pointer to it.
  Result<Tensor*> allocate_output(size_t i, DType dtype, const Shape& shape);

  Allocator& allocator() const { return allocator_; }
  ThreadPool* threads() const { return threads_; }
  const Limits& limits() const { return limits_; }
  const ValueScope* scope() const { return scope_; }

 private:
  const Node& node_;
  std::vector<const Value*> inputs_;
  std::vector<Value>& outputs_;
  Allocator& allocator_;
  ThreadPool* threads_;
  const Limits& limits_;
  const ValueScope* scope_;
  friend class Plan;
  std::vector<bool> dying_;
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  // Reads attributes and validates them; the default accepts any node.
  virtual Status init(const OpBuildContext&) { return Status::ok(); }
  virtual Status run(OpContext& ctx) const = 0;
  // True for kernels that handle sequences and empty optionals (Sequence*, Optional*, If,
  // Loop, Identity); the executor refuses such inputs to every other kernel.
  virtual bool takes_any_value() const { return false; }
};

using OpFactory = std::function<std::unique_ptr<OpKernel>()>;

class OpRegistry {
 public:
  // The registry with every built-in operator.
  static const OpRegistry& builtin();

  // Registers K for `op_type` in `domain` for every opset version >= `since_version`.
  template <typename K>
  void add(const std::string& op_type, const std::string& domain = "", int since_version = 1) {
    add_factory(domain, op_type, since_version, [] { return std::unique_ptr<OpKernel>(new K()); });
  }
  void add_factory(const std::string& domain, const std::string& op_type, int since_version, OpFactory f);

  // Creates and initialises the kernel for `ctx.node`; Unsupported when no op matches.
  Result<std::unique_ptr<OpKernel>> create(const OpBuildContext& ctx) const;
  bool supports(const std::string& domain, const std::string& op_type) const;
  std::vector<std::string> op_types(const std::string& domain = "") const;

 private:
  struct Entry {
    int since_version;
    OpFactory factory;
  };
  std::map<std::pair<std::string, std::string>, std::vector<Entry>> entries_;
};

// "" and "ai.onnx" name the same domain.
std::string canonical_domain(const std::string& domain);

}  // namespace wisp
