// A compiled graph: nodes in execution order, each value in a numbered slot, kernels
// created once, and for every step the slots to free once it has run (their last use).
// A Plan is immutable after compile() and can run from several threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/graph/graph.h"
#include "core/ops/op.h"
#include "core/runtime/limits.h"
#include "core/runtime/thread_pool.h"

namespace wisp {

// Per-run services shared by a plan and its subgraph plans.
struct RunContext {
  Allocator* allocator = nullptr;
  ThreadPool* threads = nullptr;
  Limits limits;
  int depth = 0;  // nesting of subgraph runs
  // Profiling: when set, called after every node, in subgraphs too, with the node's path
  // ("If_0/then/Conv_3": enclosing nodes and branch labels, then the node's name, or its op
  // type and step index when it has none) and its own time. The time of a node that runs
  // subgraphs (If, Loop, Scan) excludes the time of their nodes, which report on their own,
  // so the times of one run add up to the run without counting anything twice.
  std::function<void(const Node&, const std::string& path, double seconds)> on_node_done;
  std::string path_prefix;  // "" at the top level, "If_0/then/" inside that branch
};

class Plan {
 public:
  // `outer_scope`: names visible from enclosing graphs (for subgraphs); `depth` guards recursion.
  static Result<std::shared_ptr<Plan>> compile(const Graph& graph, const Model& model,
                                               const OpRegistry& registry, const Limits& limits,
                                               const std::vector<std::string>& outer_scope = {},
                                               int depth = 0);

  // Runs with `inputs` in the order of graph.inputs; `scope` resolves captured outer values.
  Result<std::vector<Value>> run(const std::vector<Value>& inputs, RunContext& run,
                                 const ValueScope* scope = nullptr) const;

  // Runs this plan as the subgraph of the op running in `ctx` (If/Loop/Scan bodies): shares the
  // run's allocator, threads and limits, resolves captured values through ctx.scope() and counts
  // one more level of nesting (so runaway recursion fails instead of overflowing the stack).
  // `label` names the subgraph in profiles (If_0/then/...). Subgraphs of one node must run
  // on the thread that runs the node (the profile's bookkeeping is per frame, unlocked).
  Result<std::vector<Value>> run_nested(const std::vector<Value>& inputs, const OpContext& ctx,
                                        std::string_view label = "body") const;

  const Graph& graph() const { return *graph_; }

 private:
  struct Step {
    const Node* node;
    std::unique_ptr<OpKernel> kernel;
    std::vector<int> inputs;   // slot per input, -1 when omitted
    std::vector<int> outputs;  // slot per output, -1 when omitted
    std::vector<int> free_after;
    std::string label;  // the node's name, or "<op type>#<step>" when it has none (profiles)
  };
  const Graph* graph_ = nullptr;
  std::vector<Step> steps_;
  std::unordered_map<std::string, int> slot_of_;
  int num_slots_ = 0;
  std::vector<int> input_slots_;
  std::vector<int> output_slots_;
  std::vector<std::pair<int, const Tensor*>> constant_slots_;
  std::vector<std::pair<int, std::string>> captured_slots_;  // filled from the outer scope
  std::vector<bool> never_free_;  // graph outputs, constants, captured

  class Frame;
};

}  // namespace wisp
