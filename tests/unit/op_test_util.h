// Helpers for operator unit tests: build a one-node model and run it through a Session.
#pragma once

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "core/runtime/session.h"

namespace wisp::testing {

struct OpTest {
  OpTest() = default;
  // OpTest{"Relu"} or OpTest{"Col2Im", 18}: a constructor, not aggregate initialisation, which
  // -Wextra reports for every member left out.
  explicit OpTest(std::string op, int64_t opset_version = 17) : op_type(std::move(op)), opset(opset_version) {}

  std::string op_type;
  std::string domain;
  int64_t opset = 17;
  std::vector<Tensor> inputs;           // undefined Tensor = omitted optional input
  std::map<std::string, Attribute> attributes;
  size_t num_outputs = 1;
  std::vector<bool> constant_inputs;    // true: pass input i as an initializer

  OpTest& attr(const std::string& key, int64_t v) { Attribute a; a.kind = Attribute::Kind::Int; a.i = v; attributes[key] = a; return *this; }
  OpTest& attr(const std::string& key, float v) { Attribute a; a.kind = Attribute::Kind::Float; a.f = v; attributes[key] = a; return *this; }
  OpTest& attr(const std::string& key, const std::string& v) { Attribute a; a.kind = Attribute::Kind::String; a.s = v; attributes[key] = a; return *this; }
  OpTest& attr(const std::string& key, std::vector<int64_t> v) { Attribute a; a.kind = Attribute::Kind::Ints; a.ints = std::move(v); attributes[key] = a; return *this; }
  OpTest& attr(const std::string& key, std::vector<float> v) { Attribute a; a.kind = Attribute::Kind::Floats; a.floats = std::move(v); attributes[key] = a; return *this; }

  // Runs the node; returns its outputs or the error.
  Result<std::vector<Tensor>> run() const {
    Model model;
    model.opsets[domain] = opset;
    if (!domain.empty()) model.opsets[""] = 17;
    Node node;
    node.name = "test_node";
    node.op_type = op_type;
    node.domain = domain;
    node.attributes = attributes;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i].defined()) { node.inputs.push_back(""); continue; }
      std::string name = "in" + std::to_string(i);
      node.inputs.push_back(name);
      if (i < constant_inputs.size() && constant_inputs[i]) {
        model.graph.initializers[name] = inputs[i];
      } else {
        ValueInfo vi;
        vi.name = name;
        vi.dtype = inputs[i].dtype();
        model.graph.inputs.push_back(vi);
      }
    }
    for (size_t o = 0; o < num_outputs; ++o) {
      node.outputs.push_back("out" + std::to_string(o));
      ValueInfo vi;
      vi.name = node.outputs.back();
      model.graph.outputs.push_back(vi);
    }
    model.graph.nodes.push_back(node);
    SessionOptions options;
    options.num_threads = 2;
    WISP_ASSIGN_OR_RETURN(auto session, Session::from_model(std::move(model), options));
    NamedTensors feeds;
    for (size_t i = 0; i < inputs.size(); ++i) {
      bool constant = i < constant_inputs.size() && constant_inputs[i];
      if (inputs[i].defined() && !constant) feeds.emplace_back("in" + std::to_string(i), inputs[i]);
    }
    WISP_ASSIGN_OR_RETURN(NamedTensors outputs, session->run(feeds));
    std::vector<Tensor> out;
    for (auto& [_, t] : outputs) out.push_back(t);
    return out;
  }
};

// Checks shape, dtype and values (float tolerance: atol + rtol*|expected|).
inline void check_tensor(const Tensor& actual, const Tensor& expected, double rtol = 1e-5, double atol = 1e-6) {
  REQUIRE(actual.dtype() == expected.dtype());
  REQUIRE(actual.shape() == expected.shape());
  for (int64_t i = 0; i < expected.numel(); ++i) {
    double a = actual.get_as_double(i), e = expected.get_as_double(i);
    if (std::isnan(e)) { CHECK(std::isnan(a)); continue; }
    if (a == e) continue;  // also covers matching infinities (inf - inf is NaN)
    INFO("element " << i);
    CHECK(std::abs(a - e) <= atol + rtol * std::abs(e));
  }
}

// Runs `t` and requires success (the error is shown when it fails).
inline std::vector<Tensor> run_ok(const OpTest& t) {
  auto r = t.run();
  INFO(r.status().message());
  REQUIRE(r.is_ok());
  return r.value();
}

// Runs `t` and requires an error, which is returned for its message to be checked.
inline Status run_err(const OpTest& t) {
  auto r = t.run();
  REQUIRE_FALSE(r.is_ok());
  return r.status();
}

}  // namespace wisp::testing
