// The public C++ API: load a model once, run it many times (from any number of threads).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/graph/graph.h"
#include "core/loaders/model_loader.h"
#include "core/runtime/buffer_pool.h"
#include "core/runtime/limits.h"
#include "core/runtime/plan.h"
#include "core/runtime/thread_pool.h"

namespace wisp {

struct SessionOptions {
  int num_threads = 0;    // 0: WISP_NUM_THREADS or the core count
  bool optimize = true;   // run the graph optimizer at load
  // Also run the fusion passes (Conv+BN, bias/residual/activation fusion, patterns) when
  // optimizing. With fused activations applied per GEMM tile (1 thread, Zen 4): PP-OCR cls
  // 0.96 -> 0.70 ms, rec 19.9 -> 16.9, det 52.0 -> 46.4, mobilenet_v2 19.9 -> 19.5, resnet50
  // level. `wisp --no-fuse` turns them off.
  bool fuse = true;
  Limits limits;
};

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
using NamedValues = std::vector<std::pair<std::string, Value>>;

struct RunProfile {
  // One entry per node run, in subgraphs too (see RunContext::on_node_done): `name` is the
  // node's path, e.g. "If_0/then/Conv_3"; `seconds` its own time (for If/Loop/Scan without
  // their subgraphs' nodes), so the entries of a run add up without double counting.
  struct NodeTime {
    std::string name, op_type;
    double seconds;
  };
  std::vector<NodeTime> nodes;
  // Time spent in the run's allocator (buffer pool or heap) and how many tensors it handed out.
  double allocation_seconds = 0;
  int64_t allocations = 0;
};

class Session {
 public:
  static Result<std::unique_ptr<Session>> load_file(const std::string& path, const SessionOptions& options = {});
  static Result<std::unique_ptr<Session>> load_bytes(FileBytes bytes, const SessionOptions& options = {});
  static Result<std::unique_ptr<Session>> from_model(Model model, const SessionOptions& options = {});

  const std::vector<ValueInfo>& inputs() const { return model_.graph.inputs; }
  const std::vector<ValueInfo>& outputs() const { return model_.graph.outputs; }
  const Model& model() const { return model_; }

  // Runs with the given feeds (every graph input by name) and returns the graph outputs in
  // declaration order. Checks names, dtypes and fixed dimensions first.
  Result<NamedTensors> run(const NamedTensors& feeds, RunProfile* profile = nullptr) const;
  // The same for models whose inputs or outputs are sequences or optionals.
  Result<NamedValues> run_values(const NamedValues& feeds, RunProfile* profile = nullptr) const;
  ThreadPool& threads() const { return *threads_; }

 private:
  Session() = default;
  Model model_;
  std::shared_ptr<Plan> plan_;
  std::unique_ptr<ThreadPool> threads_;
  std::unique_ptr<BufferPool> pool_;
  Limits limits_;
};

// Fails with the names of every operator type (in subgraphs too) that has no kernel.
Status check_ops_supported(const Model& model, const OpRegistry& registry);

// Checks a feed against the declared input (kind, dtype, rank, fixed dims).
Status check_feed(const ValueInfo& declared, const Tensor& feed);
Status check_feed(const ValueInfo& declared, const Value& feed);

}  // namespace wisp
