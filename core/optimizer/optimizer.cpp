#include "core/optimizer/optimizer.h"

#include <set>

#include "core/graph/shape_inference.h"
#include "core/optimizer/constant_folding.h"
#include "core/optimizer/passes.h"

namespace wisp {

namespace {

// Turns Constant nodes into initializers so they cost nothing at run time and later passes
// (and kernels prepacking weights) see them as constants.
int hoist_constants(Graph& graph) {
  std::vector<Node> kept;
  int hoisted = 0;
  for (Node& node : graph.nodes) {
    const Attribute* value = node.attr("value");
    if (node.op_type == "Constant" && canonical_domain(node.domain).empty() && value &&
        value->kind == Attribute::Kind::Tensor && node.outputs.size() == 1) {
      graph.initializers[node.outputs[0]] = value->t;
      ++hoisted;
      continue;
    }
    kept.push_back(std::move(node));
  }
  graph.nodes = std::move(kept);
  return hoisted;
}

// Drops initializers nothing reads any more (e.g. the inputs of folded nodes), so their
// memory is released; names read from subgraphs count as read.
int remove_unused_initializers(Graph& graph) {
  std::set<std::string> used;
  for (const Node& node : graph.nodes) {
    used.insert(node.inputs.begin(), node.inputs.end());
    for (const auto& [_, attribute] : node.attributes) {
      std::vector<const Graph*> subgraphs;
      if (attribute.kind == Attribute::Kind::Graph && attribute.g) subgraphs.push_back(attribute.g.get());
      if (attribute.kind == Attribute::Kind::Graphs) {
        for (const auto& g : attribute.graphs) subgraphs.push_back(g.get());
      }
      for (const Graph* sub : subgraphs) {
        for (const std::string& name : captured_values(*sub)) used.insert(name);
      }
    }
  }
  for (const ValueInfo& output : graph.outputs) used.insert(output.name);
  int removed = 0;
  for (auto it = graph.initializers.begin(); it != graph.initializers.end();) {
    if (used.count(it->first)) {
      ++it;
    } else {
      it = graph.initializers.erase(it);
      ++removed;
    }
  }
  return removed;
}

// Subgraphs (If/Loop/Scan bodies) get the same constant hoisting and folding as the main
// graph, recursively: exporters often put a whole network, weights as Constant nodes, inside
// an If (Silero VAD), and without this those weights are Constant ops run on every call and
// never prepacked by the kernels. Nodes of a subgraph that only read constants of enclosing
// graphs fold too (Silero's LSTM weights are Slices and Concats of the branch's constants).
// Fusions stay main-graph only. `outer`: the graphs enclosing `graph`, innermost first.
Status optimize_subgraphs(Graph& graph, const Model& model, const OpRegistry& registry, const Limits& limits,
                          OptimizeStats& stats, std::vector<const Graph*> outer = {}) {
  outer.insert(outer.begin(), &graph);
  for (Node& node : graph.nodes) {
    for (auto& [_, attribute] : node.attributes) {
      std::vector<std::shared_ptr<Graph>*> subgraphs;
      if (attribute.kind == Attribute::Kind::Graph && attribute.g) subgraphs.push_back(&attribute.g);
      if (attribute.kind == Attribute::Kind::Graphs) {
        for (auto& g : attribute.graphs) if (g) subgraphs.push_back(&g);
      }
      for (std::shared_ptr<Graph>* slot : subgraphs) {
        // Copies of a Model share their subgraphs: rewrite a private copy (tensors share storage).
        *slot = std::make_shared<Graph>(**slot);
        Graph* sub = slot->get();
        stats.constants_hoisted += hoist_constants(*sub);
        WISP_ASSIGN_OR_RETURN(int folded, fold_constants(*sub, model, registry, limits, {}, outer));
        stats.nodes_folded += folded;
        WISP_RETURN_IF_ERROR(optimize_subgraphs(*sub, model, registry, limits, stats, outer));
        stats.initializers_removed += remove_unused_initializers(*sub);
      }
    }
  }
  return Status::ok();
}

}  // namespace

std::string OptimizeStats::summary() const {
  std::string out = "nodes " + std::to_string(nodes_before) + " -> " + std::to_string(nodes_after) + " (";
  const std::pair<const char*, int> parts[] = {
      {"constants", constants_hoisted}, {"folded", nodes_folded},      {"dead", dead_nodes_removed},
      {"conv+bn", conv_bn_folded},      {"transposes", transposes_folded}, {"gelu", gelu_fused},
      {"silu", silu_fused},             {"layernorm", layernorm_fused}, {"hardswish", hardswish_fused},
      {"conv scale", conv_scale_folded}, {"bias", bias_fused},          {"residual", residual_fused},
      {"activations", activations_fused},
      {"post affine", post_affine_fused}};
  bool first = true;
  for (const auto& [name, n] : parts) {
    if (!n) continue;
    out += (first ? "" : ", ") + std::string(name) + " " + std::to_string(n);
    first = false;
  }
  return out + ")";
}

Result<OptimizeStats> optimize_model(Model& model, const OpRegistry& registry, const Limits& limits,
                                     const OptimizeOptions& options) {
  OptimizeStats stats;
  Graph& graph = model.graph;
  stats.nodes_before = int(graph.nodes.size());
  stats.constants_hoisted = hoist_constants(graph);
  WISP_ASSIGN_OR_RETURN(stats.nodes_folded, fold_constants(model, registry, limits));
  if (options.fuse) {
    // Ranks and dtypes guide the fusions (e.g. MatMul of two matrices, float32 only). A
    // shape error is left for the Session's own inference to report with the same message.
    (void)infer_shapes(graph, model);
    stats.dead_nodes_removed = opt::eliminate_dead_nodes(graph);
    // Order matters: patterns collapse into single ops first, then biases merge into the
    // GEMM ops, then activations (a bias must be added before the activation runs).
    stats.conv_bn_folded = opt::fold_conv_batchnorm(graph);
    stats.transposes_folded = opt::fold_transposes(graph);
    stats.gelu_fused = opt::fuse_gelu(model);
    stats.silu_fused = opt::fuse_silu(model);
    stats.layernorm_fused = opt::fuse_layernorm(model);
    stats.hardswish_fused = opt::fuse_hardswish(model);
    // Chains (Conv -> Mul -> Add -> Add) merge one link per scan.
    for (bool again = true; again;) {
      const int scaled = opt::fold_conv_scale(graph), biased = opt::fuse_bias(graph);
      stats.conv_scale_folded += scaled;
      stats.bias_fused += biased;
      again = scaled + biased > 0;
    }
    stats.residual_fused = opt::fuse_residual(graph);
    stats.activations_fused = opt::fuse_activations(model);
    for (int n; (n = opt::fuse_post_affine(graph)) > 0;) stats.post_affine_fused += n;
    stats.dead_nodes_removed += opt::eliminate_dead_nodes(graph);
  }
  WISP_RETURN_IF_ERROR(optimize_subgraphs(graph, model, registry, limits, stats));
  // value_infos of values the rewrites removed are kept: they are harmless, and callers
  // (tests, tools) may still look up the inferred type of any value of the original graph.
  stats.initializers_removed += remove_unused_initializers(graph);
  stats.nodes_after = int(graph.nodes.size());
  return stats;
}

}  // namespace wisp
