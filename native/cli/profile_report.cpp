#include "native/cli/profile_report.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "native/cli/inputs.h"

namespace wisp::cli {

namespace {

struct Totals {
  double seconds = 0;
  int64_t calls = 0;
};

// Mean per run of everything the profiles recorded. Nodes are keyed by their path
// ("If_0/then/Conv_3"; the iterations of a loop body's node add up, and so would nodes that
// share a name, which ONNX allows), op types by name. Nodes inside subgraphs count on their own, and a node that runs
// subgraphs (If, Loop, Scan) only with its own time, so the totals count nothing twice.
struct ProfileSummary {
  std::vector<std::pair<std::string, Totals>> op_types;  // slowest first
  struct Node {
    std::string name, op_type;
    double seconds = 0;
  };
  std::vector<Node> nodes;  // slowest first
  double op_seconds = 0, allocation_seconds = 0;
  double allocations = 0;
  size_t nodes_per_run = 0;  // node runs (a loop body's nodes count once per iteration)
};

ProfileSummary summarize(const std::vector<RunProfile>& runs) {
  ProfileSummary summary;
  if (runs.empty()) return summary;
  const double n = double(runs.size());
  std::map<std::string, Totals> by_type;
  std::map<std::string, size_t> node_index;  // path -> position in summary.nodes
  for (const RunProfile& run : runs) {
    for (const RunProfile::NodeTime& node : run.nodes) {
      Totals& t = by_type[node.op_type];
      t.seconds += node.seconds / n;
      t.calls += 1;
      summary.op_seconds += node.seconds / n;
      auto [it, inserted] = node_index.emplace(node.name, summary.nodes.size());
      if (inserted) summary.nodes.push_back({node.name, node.op_type, 0});
      summary.nodes[it->second].seconds += node.seconds / n;
    }
    summary.allocation_seconds += run.allocation_seconds / n;
    summary.allocations += double(run.allocations) / n;
  }
  summary.nodes_per_run = runs.front().nodes.size();
  summary.op_types.assign(by_type.begin(), by_type.end());
  for (auto& [_, t] : summary.op_types) t.calls = int64_t(double(t.calls) / n + 0.5);
  std::sort(summary.op_types.begin(), summary.op_types.end(),
            [](const auto& a, const auto& b) { return a.second.seconds > b.second.seconds; });
  std::stable_sort(summary.nodes.begin(), summary.nodes.end(),
                   [](const ProfileSummary::Node& a, const ProfileSummary::Node& b) { return a.seconds > b.seconds; });
  return summary;
}

double percent(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0.0; }

}  // namespace

void print_profile(const std::vector<RunProfile>& runs, int top) {
  ProfileSummary s = summarize(runs);
  std::printf("\nprofile (mean per run over %zu runs)\n", runs.size());
  std::printf("%-28s %6s %10s %6s\n", "op type", "nodes", "ms", "%");
  for (const auto& [type, t] : s.op_types) {
    std::printf("%-28s %6lld %10.3f %5.1f%%\n", type.c_str(), (long long)t.calls, t.seconds * 1e3,
                percent(t.seconds, s.op_seconds));
  }
  std::printf("\nslowest %d nodes\n%-60s %-20s %10s %6s\n", top, "node", "op type", "ms", "%");
  for (size_t i = 0; i < s.nodes.size() && i < size_t(top); ++i) {
    const ProfileSummary::Node& node = s.nodes[i];
    std::string name = node.name.empty() ? "(unnamed)" : node.name;
    // Long paths keep their start (which subgraph) and end (which node).
    if (name.size() > 60) name = name.substr(0, 20) + "..." + name.substr(name.size() - 37);
    std::printf("%-60s %-20s %10.3f %5.1f%%\n", name.c_str(), node.op_type.c_str(), node.seconds * 1e3,
                percent(node.seconds, s.op_seconds));
  }
  std::printf("\nsummary: %zu nodes of %zu op types, %.3f ms in ops, %.3f ms in %.0f allocations\n",
              s.nodes_per_run, s.op_types.size(), s.op_seconds * 1e3, s.allocation_seconds * 1e3, s.allocations);
}

std::string profile_json(const std::vector<RunProfile>& runs, int top) {
  ProfileSummary s = summarize(runs);
  std::string json = "{\"runs\":" + std::to_string(runs.size()) + ",\"op_ms\":" + json_number(s.op_seconds * 1e3) +
                     ",\"allocation_ms\":" + json_number(s.allocation_seconds * 1e3) +
                     ",\"allocations\":" + json_number(s.allocations) + ",\"op_types\":[";
  for (size_t i = 0; i < s.op_types.size(); ++i) {
    const auto& [type, t] = s.op_types[i];
    json += (i ? "," : "") + std::string("{\"op_type\":") + json_string(type) +
            ",\"nodes\":" + std::to_string(t.calls) + ",\"ms\":" + json_number(t.seconds * 1e3) + "}";
  }
  json += "],\"nodes\":[";
  for (size_t i = 0; i < s.nodes.size() && i < size_t(top); ++i) {
    json += (i ? "," : "") + std::string("{\"name\":") + json_string(s.nodes[i].name) +
            ",\"op_type\":" + json_string(s.nodes[i].op_type) + ",\"ms\":" + json_number(s.nodes[i].seconds * 1e3) + "}";
  }
  return json + "]}";
}

}  // namespace wisp::cli
