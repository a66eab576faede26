#include "core/runtime/session.h"

#include "core/graph/shape_inference.h"
#include "core/optimizer/optimizer.h"
#include "core/tensor/budget_allocator.h"

#include <chrono>
#include <mutex>
#include <set>

namespace wisp {

namespace {

void collect_unsupported(const Graph& graph, const OpRegistry& registry, std::set<std::string>& missing) {
  for (const Node& node : graph.nodes) {
    if (!registry.supports(node.domain, node.op_type)) {
      std::string domain = canonical_domain(node.domain);
      missing.insert(domain.empty() ? node.op_type : domain + "." + node.op_type);
    }
    for (const auto& [_, attribute] : node.attributes) {
      if (attribute.kind == Attribute::Kind::Graph && attribute.g) collect_unsupported(*attribute.g, registry, missing);
      if (attribute.kind == Attribute::Kind::Graphs) {
        for (const auto& g : attribute.graphs) if (g) collect_unsupported(*g, registry, missing);
      }
    }
  }
}

// Wraps the run's allocator when a profile is asked for, adding up the time spent in it.
class ProfilingAllocator final : public Allocator {
 public:
  ProfilingAllocator(Allocator& inner, RunProfile* profile) : inner_(inner), profile_(profile) {}
  std::shared_ptr<Storage> allocate(size_t bytes) override {
    auto start = std::chrono::steady_clock::now();
    std::shared_ptr<Storage> storage = inner_.allocate(bytes);
    record(start);
    return storage;
  }
  Result<std::shared_ptr<Storage>> try_allocate(size_t bytes) override {
    auto start = std::chrono::steady_clock::now();
    Result<std::shared_ptr<Storage>> storage = inner_.try_allocate(bytes);
    record(start);
    return storage;
  }

 private:
  void record(std::chrono::steady_clock::time_point start) {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
#if WISP_HAS_THREADS  // WASI's libc++ has no <mutex>; a single thread needs no lock
    std::lock_guard<std::mutex> lock(mutex_);  // kernels may allocate from worker threads
#endif
    profile_->allocation_seconds += seconds;
    ++profile_->allocations;
  }
  Allocator& inner_;
  RunProfile* profile_;
#if WISP_HAS_THREADS
  std::mutex mutex_;
#endif
};

}  // namespace

Status check_ops_supported(const Model& model, const OpRegistry& registry) {
  std::set<std::string> missing;
  collect_unsupported(model.graph, registry, missing);
  if (missing.empty()) return Status::ok();
  std::string list;
  for (const std::string& op : missing) list += (list.empty() ? "" : ", ") + op;
  return unsupported("the model uses operators Wisp does not support: ", list);
}

Result<std::unique_ptr<Session>> Session::load_file(const std::string& path, const SessionOptions& options) {
  WISP_ASSIGN_OR_RETURN(Model model, load_model_file(path, options.limits));
  return from_model(std::move(model), options);
}

Result<std::unique_ptr<Session>> Session::load_bytes(FileBytes bytes, const SessionOptions& options) {
  LoadOptions load;
  load.limits = options.limits;
  WISP_ASSIGN_OR_RETURN(Model model, load_model_bytes(bytes, load));
  return from_model(std::move(model), options);
}

Result<std::unique_ptr<Session>> Session::from_model(Model model, const SessionOptions& options) {
  std::unique_ptr<Session> session(new Session());
  session->model_ = std::move(model);
  session->limits_ = options.limits;
  const OpRegistry& registry = OpRegistry::builtin();
  WISP_RETURN_IF_ERROR(check_ops_supported(session->model_, registry));
  if (options.optimize) WISP_RETURN_IF_ERROR(optimize_model(session->model_, registry, options.limits, OptimizeOptions{options.fuse}).status());
  WISP_RETURN_IF_ERROR(infer_shapes(session->model_.graph, session->model_));
  WISP_ASSIGN_OR_RETURN(session->plan_, Plan::compile(session->model_.graph, session->model_, registry, options.limits));
  session->threads_ = std::make_unique<ThreadPool>(options.num_threads);
  session->pool_ = std::make_unique<BufferPool>();
  return session;
}

Status check_feed(const ValueInfo& declared, const Tensor& feed) {
  if (declared.dtype != DType::Undefined && feed.dtype() != declared.dtype) {
    return invalid_argument("input '", declared.name, "' expects ", dtype_name(declared.dtype), ", got ",
                            dtype_name(feed.dtype()));
  }
  if (!declared.has_shape) return Status::ok();
  if (feed.rank() != int64_t(declared.shape.size())) {
    return invalid_argument("input '", declared.name, "' expects rank ", declared.shape.size(), ", got ",
                            feed.describe());
  }
  for (size_t i = 0; i < declared.shape.size(); ++i) {
    const Dim& d = declared.shape[i];
    if (d.is_fixed() && d.value != feed.shape()[i]) {
      return invalid_argument("input '", declared.name, "' expects dimension ", i, " to be ", d.value, ", got ",
                              feed.describe());
    }
  }
  return Status::ok();
}

Status check_feed(const ValueInfo& declared, const Value& feed) {
  const bool optional = declared.kind == ValueKind::OptionalTensor || declared.kind == ValueKind::OptionalSequence;
  const bool sequence = declared.kind == ValueKind::Sequence || declared.kind == ValueKind::OptionalSequence;
  if (feed.is_none()) {
    if (optional) return Status::ok();
    return invalid_argument("input '", declared.name, "' is a ", value_kind_name(declared.kind),
                            " and cannot be empty");
  }
  if (feed.is_tensor() && !sequence) return check_feed(declared, feed.tensor());
  if (feed.is_sequence() && sequence) {
    for (const Tensor& element : feed.elements()) {
      if (declared.dtype != DType::Undefined && element.dtype() != declared.dtype) {
        return invalid_argument("input '", declared.name, "' expects a sequence of ", dtype_name(declared.dtype),
                                ", got an element ", element.describe());
      }
    }
    return Status::ok();
  }
  return invalid_argument("input '", declared.name, "' expects a ", value_kind_name(declared.kind), ", got ",
                          feed.describe());
}

Result<NamedTensors> Session::run(const NamedTensors& feeds, RunProfile* profile) const {
  NamedValues values(feeds.begin(), feeds.end());
  WISP_ASSIGN_OR_RETURN(NamedValues outputs, run_values(values, profile));
  NamedTensors tensors;
  for (auto& [name, value] : outputs) {
    if (!value.is_tensor()) {
      return invalid_argument("output '", name, "' is ", value.describe(), "; use run_values() for such models");
    }
    tensors.emplace_back(name, std::move(value.tensor()));
  }
  return tensors;
}

Result<NamedValues> Session::run_values(const NamedValues& feeds, RunProfile* profile) const {
  const auto& declared = model_.graph.inputs;
  std::vector<Value> inputs(declared.size());
  for (const auto& [name, value] : feeds) {
    size_t i = 0;
    while (i < declared.size() && declared[i].name != name) ++i;
    if (i == declared.size()) return invalid_argument("the model has no input named '", name, "'");
    if (inputs[i].defined()) return invalid_argument("input '", name, "' is given twice");
    WISP_RETURN_IF_ERROR(check_feed(declared[i], value));
    inputs[i] = value;
  }
  for (size_t i = 0; i < declared.size(); ++i) {
    if (!inputs[i].defined()) return invalid_argument("missing input '", declared[i].name, "'");
  }
  // Limits::max_total_bytes: every tensor the run allocates (in subgraphs too) counts while alive.
  BudgetAllocator budget(*pool_, limits_.max_total_bytes);
  ProfilingAllocator timed(budget, profile);
  RunContext ctx;
  ctx.allocator = profile ? static_cast<Allocator*>(&timed) : &budget;
  ctx.threads = threads_.get();
  ctx.limits = limits_;
  if (profile) {
    ctx.on_node_done = [profile](const Node& node, const std::string& path, double seconds) {
      profile->nodes.push_back({path, node.op_type, seconds});
    };
  }
  WISP_ASSIGN_OR_RETURN(std::vector<Value> outputs, plan_->run(inputs, ctx));
  NamedValues named;
  for (size_t i = 0; i < outputs.size(); ++i) named.emplace_back(model_.graph.outputs[i].name, std::move(outputs[i]));
  return named;
}

}  // namespace wisp
