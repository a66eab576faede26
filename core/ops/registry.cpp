#include <algorithm>

#include "core/ops/op.h"
#include "core/ops/register_all.h"
#include "core/ops/schema/required_inputs.h"

namespace wisp {

std::string canonical_domain(const std::string& domain) { return domain == "ai.onnx" ? "" : domain; }

const Tensor* OpBuildContext::constant_input(size_t i) const {
  if (!constants || i >= node.inputs.size() || node.inputs[i].empty()) return nullptr;
  auto it = constants->find(node.inputs[i]);
  return it == constants->end() ? nullptr : &it->second;
}

bool OpContext::input_is_dying(size_t i) const { return i < dying_.size() && dying_[i]; }

Result<Tensor*> OpContext::allocate_output(size_t i, DType dtype, const Shape& shape) {
  if (i >= outputs_.size()) return invalid_model(node_.context(), "output ", i, " does not exist");
  WISP_ASSIGN_OR_RETURN(Tensor t, allocate(dtype, shape));
  outputs_[i] = Value(std::move(t));
  return &outputs_[i].tensor();
}

void OpRegistry::add_factory(const std::string& domain, const std::string& op_type, int since_version,
                             OpFactory f) {
  auto& list = entries_[{canonical_domain(domain), op_type}];
  list.push_back({since_version, std::move(f)});
  std::sort(list.begin(), list.end(), [](const Entry& a, const Entry& b) { return a.since_version > b.since_version; });
}

Result<std::unique_ptr<OpKernel>> OpRegistry::create(const OpBuildContext& ctx) const {
  const Node& node = ctx.node;
  auto it = entries_.find({canonical_domain(node.domain), node.op_type});
  if (it == entries_.end()) {
    return unsupported(node.context(), "operator '", node.domain.empty() ? "" : node.domain + ".",
                       node.op_type, "' is not supported");
  }
  WISP_RETURN_IF_ERROR(check_required_inputs(node, ctx.opset));
  for (const Entry& e : it->second) {
    // Models that do not import the domain (opset 0) get the newest implementation.
    if (ctx.opset == 0 || e.since_version <= ctx.opset) {
      std::unique_ptr<OpKernel> kernel = e.factory();
      WISP_RETURN_IF_ERROR(kernel->init(ctx).with_context(node.context()));
      return kernel;
    }
  }
  return unsupported(node.context(), "operator '", node.op_type, "' is not supported at opset ", ctx.opset);
}

bool OpRegistry::supports(const std::string& domain, const std::string& op_type) const {
  return entries_.count({canonical_domain(domain), op_type}) != 0;
}

std::vector<std::string> OpRegistry::op_types(const std::string& domain) const {
  std::vector<std::string> out;
  for (const auto& [key, _] : entries_) {
    if (key.first == canonical_domain(domain)) out.push_back(key.second);
  }
  return out;
}

const OpRegistry& OpRegistry::builtin() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    register_all_ops(r);
    return r;
  }();
  return registry;
}

}  // namespace wisp
