// Helpers shared by the control-flow and recurrent op tests: hand-built graphs run through a
// Plan with a private registry (the real control/rnn ops plus tiny float test ops), so these
// tests do not depend on other op families.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/ops/op.h"
#include "core/ops/register_all.h"
#include "core/runtime/plan.h"

namespace wisp::testing {

// Elementwise float add with a scalar broadcast on either side.
class TestAdd final : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const Tensor& big = a.numel() >= b.numel() ? a : b;
    WISP_ASSIGN_OR_RETURN(Tensor* out, ctx.allocate_output(0, DType::Float32, big.shape()));
    for (int64_t i = 0; i < big.numel(); ++i) {
      out->data<float>()[i] = a.data<float>()[a.numel() == 1 ? 0 : i] + b.data<float>()[b.numel() == 1 ? 0 : i];
    }
    return Status::ok();
  }
};

class TestIdentity final : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    ctx.set_output(0, ctx.input(0));
    return Status::ok();
  }
};

// Bool scalar: a < b (any numeric scalars).
class TestLess final : public OpKernel {
 public:
  Status run(OpContext& ctx) const override {
    WISP_ASSIGN_OR_RETURN(Tensor* out, ctx.allocate_output(0, DType::Bool, {}));
    *out->data<bool>() = ctx.input(0).get_as_double(0) < ctx.input(1).get_as_double(0);
    return Status::ok();
  }
};

inline const OpRegistry& test_registry() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    register_control_ops(r);
    register_rnn_ops(r);
    r.add<TestAdd>("Add");
    r.add<TestIdentity>("Identity");
    r.add<TestLess>("Less");
    return r;
  }();
  return registry;
}

inline Node make_node(const std::string& op, std::vector<std::string> inputs, std::vector<std::string> outputs) {
  Node n;
  n.name = op + "_" + (outputs.empty() ? std::string() : outputs[0]);
  n.op_type = op;
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  return n;
}

inline ValueInfo value(const std::string& name, DType dtype = DType::Undefined) {
  ValueInfo v;
  v.name = name;
  v.dtype = dtype;
  return v;
}

inline void set_graph_attr(Node& node, const std::string& key, std::shared_ptr<Graph> g) {
  Attribute a;
  a.kind = Attribute::Kind::Graph;
  a.g = std::move(g);
  node.attributes[key] = a;
}

inline void set_int_attr(Node& node, const std::string& key, int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::Int;
  a.i = v;
  node.attributes[key] = a;
}

inline void set_ints_attr(Node& node, const std::string& key, std::vector<int64_t> v) {
  Attribute a;
  a.kind = Attribute::Kind::Ints;
  a.ints = std::move(v);
  node.attributes[key] = a;
}

// Compiles and runs `model` with the test registry; values of any kind in and out.
inline Result<std::vector<Value>> run_model_values(const Model& model, const std::vector<Value>& inputs) {
  WISP_ASSIGN_OR_RETURN(auto plan, Plan::compile(model.graph, model, test_registry(), Limits{}));
  RunContext run;
  return plan->run(inputs, run);
}

// Compiles and runs `model` with the test registry.
inline Result<std::vector<Tensor>> run_model(const Model& model, const std::vector<Tensor>& inputs,
                                             const Limits& limits = {}) {
  WISP_ASSIGN_OR_RETURN(auto plan, Plan::compile(model.graph, model, test_registry(), limits));
  RunContext run;
  run.limits = limits;
  WISP_ASSIGN_OR_RETURN(std::vector<Value> outputs, plan->run(std::vector<Value>(inputs.begin(), inputs.end()), run));
  std::vector<Tensor> tensors;
  for (Value& v : outputs) {
    REQUIRE(v.is_tensor());
    tensors.push_back(std::move(v.tensor()));
  }
  return tensors;
}

inline std::vector<float> floats_of(const Tensor& t) {
  REQUIRE(t.dtype() == DType::Float32);
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
}

}  // namespace wisp::testing
