// ONNX ModelProto -> Model, read zero-copy with protozero. Field numbers follow onnx.proto.
#include <algorithm>
#include <cstring>

#include <protozero/pbf_reader.hpp>

#include "core/loaders/model_loader.h"
#include "core/loaders/onnx_tensor.h"
#include "core/loaders/protobuf_guard.h"

namespace wisp {

namespace {

namespace guard = protobuf_guard;
using WireType = protozero::pbf_wire_type;

// Subgraphs nest (If inside Loop inside If ...); deeper than Limits::max_graph_depth (and
// never deeper than this, which bounds the parser's recursion) is refused as hostile.
constexpr int kMaxGraphNesting = 64;

struct ParseState {
  const LoadOptions& options;
  TensorDecodeOptions tensor_options;
};

// A field's message bytes, checked so protozero can read them safely.
Result<protozero::pbf_reader> sub_message(protozero::pbf_reader& parent, const char* what) {
  if (parent.wire_type() != WireType::length_delimited) {
    return invalid_model("malformed ", what, ": expected a message");
  }
  protozero::data_view view = parent.get_view();
  WISP_RETURN_IF_ERROR(guard::check_message(view.data(), view.size(), what));
  return protozero::pbf_reader(view.data(), view.size());
}

Result<std::string> get_string(protozero::pbf_reader& msg, const char* what) {
  if (msg.wire_type() != WireType::length_delimited) return invalid_model("malformed ", what, ": expected a string");
  return msg.get_string();
}

Result<int64_t> get_varint(protozero::pbf_reader& msg, const char* what) {
  if (msg.wire_type() != WireType::varint) return invalid_model("malformed ", what, ": expected an integer");
  return msg.get_int64();
}

Result<DecodedTensor> parse_tensor(protozero::pbf_reader& msg, const ParseState& state) {
  if (msg.wire_type() != WireType::length_delimited) return invalid_model("malformed TensorProto");
  protozero::data_view view = msg.get_view();
  return decode_tensor_proto(view.data(), view.size(), state.tensor_options);
}

// TypeProto field numbers of the value kinds Wisp does not support, named for error messages.
const char* non_tensor_type_name(uint32_t tag) {
  switch (tag) {
    case 5: return "a map";
    case 8: return "a sparse tensor";
    default: return nullptr;
  }
}

Status parse_type(protozero::pbf_reader type, ValueInfo& info, const char*& non_tensor, int depth = 0);

// TypeProto.Sequence / TypeProto.Optional: `elem_type` (field 1) is itself a TypeProto.
Result<ValueInfo> parse_element_type(protozero::pbf_reader msg, const std::string& name, const char*& non_tensor,
                                     int depth) {
  ValueInfo inner;
  inner.name = name;
  bool seen = false;
  while (msg.next()) {
    if (msg.tag() != 1) { msg.skip(); continue; }
    WISP_ASSIGN_OR_RETURN(auto type, sub_message(msg, "TypeProto elem_type"));
    WISP_RETURN_IF_ERROR(parse_type(type, inner, non_tensor, depth + 1));
    seen = true;
  }
  if (!seen) return invalid_model("value '", name, "' has a sequence or optional type without an element type");
  return inner;
}

// TypeProto -> kind, dtype and shape. Tensors, sequences of tensors and optionals of either are
// understood; for maps, sparse tensors and deeper nestings `non_tensor` is set to their name so
// the caller can decide.
Status parse_type(protozero::pbf_reader type, ValueInfo& info, const char*& non_tensor, int depth) {
  if (depth > 2) {  // optional<sequence<tensor>> is the deepest nesting a value may have
    non_tensor = "a nested container";
    return Status::ok();
  }
  while (type.next()) {
    if (type.tag() == 4 || type.tag() == 9) {  // sequence_type, optional_type
      const bool is_sequence = type.tag() == 4;
      WISP_ASSIGN_OR_RETURN(auto msg, sub_message(type, is_sequence ? "TypeProto.Sequence" : "TypeProto.Optional"));
      WISP_ASSIGN_OR_RETURN(ValueInfo inner, parse_element_type(msg, info.name, non_tensor, depth));
      if (non_tensor) continue;
      info.dtype = inner.dtype;
      info.has_shape = inner.has_shape;
      info.shape = inner.shape;
      if (is_sequence && inner.kind == ValueKind::Tensor) info.kind = ValueKind::Sequence;
      else if (!is_sequence && inner.kind == ValueKind::Tensor) info.kind = ValueKind::OptionalTensor;
      else if (!is_sequence && inner.kind == ValueKind::Sequence) info.kind = ValueKind::OptionalSequence;
      else non_tensor = "a nested container";
      continue;
    }
    if (type.tag() == 1) {  // tensor_type
      WISP_ASSIGN_OR_RETURN(auto tensor, sub_message(type, "TypeProto.Tensor"));
      while (tensor.next()) {
        if (tensor.tag() == 1) {
          WISP_ASSIGN_OR_RETURN(int64_t elem, get_varint(tensor, "TypeProto.Tensor.elem_type"));
          if (elem != 0 && !dtype_is_known(int32_t(elem))) {
            return unsupported("value '", info.name, "' has unsupported element type ", elem);
          }
          info.dtype = DType(elem);
        } else if (tensor.tag() == 2) {
          WISP_ASSIGN_OR_RETURN(auto shape, sub_message(tensor, "TensorShapeProto"));
          info.has_shape = true;
          while (shape.next()) {
            if (shape.tag() != 1) {
              shape.skip();
              continue;
            }
            WISP_ASSIGN_OR_RETURN(auto dim_msg, sub_message(shape, "TensorShapeProto.Dimension"));
            Dim dim;
            while (dim_msg.next()) {
              if (dim_msg.tag() == 1) {
                WISP_ASSIGN_OR_RETURN(dim.value, get_varint(dim_msg, "dim_value"));
                if (dim.value < 0) return invalid_model("value '", info.name, "' has a negative dimension");
              } else if (dim_msg.tag() == 2) {
                WISP_ASSIGN_OR_RETURN(dim.symbol, get_string(dim_msg, "dim_param"));
              } else {
                dim_msg.skip();
              }
            }
            info.shape.push_back(dim);
          }
        } else {
          tensor.skip();
        }
      }
    } else if (non_tensor_type_name(type.tag())) {
      // Recorded as untyped; inside the graph the ops that use them report themselves.
      non_tensor = non_tensor_type_name(type.tag());
      type.skip();
    } else {
      type.skip();
    }
  }
  return Status::ok();
}

// `non_tensor` names the value's kind when it is not a tensor (see parse_type).
Result<ValueInfo> parse_value_info(protozero::pbf_reader msg, const char*& non_tensor) {
  ValueInfo info;
  non_tensor = nullptr;
  while (msg.next()) {
    if (msg.tag() == 1) {
      WISP_ASSIGN_OR_RETURN(info.name, get_string(msg, "ValueInfoProto.name"));
    } else if (msg.tag() == 2) {
      WISP_ASSIGN_OR_RETURN(auto type, sub_message(msg, "TypeProto"));
      WISP_RETURN_IF_ERROR(parse_type(type, info, non_tensor));
    } else {
      msg.skip();
    }
  }
  return info;
}

Result<std::shared_ptr<Graph>> parse_graph(protozero::pbf_reader msg, const ParseState& state, int depth);

// AttributeProto.type values.
enum AttributeType { kFloat = 1, kInt = 2, kString = 3, kTensor = 4, kGraph = 5, kFloats = 6, kInts = 7,
                     kStrings = 8, kTensors = 9, kGraphs = 10, kSparseTensor = 11, kSparseTensors = 12,
                     kTypeProto = 13, kTypeProtos = 14 };

// Which value field an AttributeProto carries, for files that leave `type` unset (IR < 2).
struct SeenAttributeFields {
  bool f = false, i = false, s = false, t = false, g = false;
  bool floats = false, ints = false, strings = false, tensors = false, graphs = false;

  int64_t inferred_type() const {
    if (f) return kFloat;
    if (i) return kInt;
    if (s) return kString;
    if (t) return kTensor;
    if (g) return kGraph;
    if (floats) return kFloats;
    if (ints) return kInts;
    if (strings) return kStrings;
    if (tensors) return kTensors;
    if (graphs) return kGraphs;
    return 0;
  }
};

Status parse_attribute(protozero::pbf_reader msg, const ParseState& state, int depth, Node& node) {
  std::string name;
  int64_t type = 0;
  Attribute a;
  bool has_ref = false;
  SeenAttributeFields seen;
  while (msg.next()) {
    switch (msg.tag()) {
      case 1: { WISP_ASSIGN_OR_RETURN(name, get_string(msg, "AttributeProto.name")); break; }
      case 20: { WISP_ASSIGN_OR_RETURN(type, get_varint(msg, "AttributeProto.type")); break; }
      case 21: has_ref = true; msg.skip(); break;
      case 2:
        if (msg.wire_type() != WireType::fixed32) return invalid_model("malformed attribute float");
        a.f = msg.get_float();
        seen.f = true;
        break;
      case 3: { WISP_ASSIGN_OR_RETURN(a.i, get_varint(msg, "AttributeProto.i")); seen.i = true; break; }
      case 4: { WISP_ASSIGN_OR_RETURN(a.s, get_string(msg, "AttributeProto.s")); seen.s = true; break; }
      case 5: {
        WISP_ASSIGN_OR_RETURN(DecodedTensor t, parse_tensor(msg, state));
        a.t = std::move(t.tensor);
        seen.t = true;
        break;
      }
      case 6: {
        WISP_ASSIGN_OR_RETURN(auto g, sub_message(msg, "GraphProto"));
        WISP_ASSIGN_OR_RETURN(a.g, parse_graph(g, state, depth + 1));
        seen.g = true;
        break;
      }
      case 7:
        seen.floats = true;
        if (msg.wire_type() == WireType::length_delimited) {
          protozero::data_view v = msg.get_view();
          WISP_RETURN_IF_ERROR(guard::check_packed_fixed(v.size(), 4, "AttributeProto.floats"));
          size_t old = a.floats.size();
          a.floats.resize(old + v.size() / 4);
          if (!v.empty()) std::memcpy(a.floats.data() + old, v.data(), v.size());
        } else if (msg.wire_type() == WireType::fixed32) {
          a.floats.push_back(msg.get_float());
        } else {
          return invalid_model("malformed attribute floats");
        }
        break;
      case 8:
        seen.ints = true;
        if (msg.wire_type() == WireType::length_delimited) {
          protozero::data_view v = msg.get_view();
          WISP_RETURN_IF_ERROR(guard::check_packed_varints(v.data(), v.size(), "AttributeProto.ints"));
          const char* p = v.data();
          while (p < v.data() + v.size()) a.ints.push_back(int64_t(protozero::decode_varint(&p, v.data() + v.size())));
        } else {
          WISP_ASSIGN_OR_RETURN(int64_t i, get_varint(msg, "AttributeProto.ints"));
          a.ints.push_back(i);
        }
        break;
      case 9: {
        WISP_ASSIGN_OR_RETURN(std::string s, get_string(msg, "AttributeProto.strings"));
        a.strings.push_back(std::move(s));
        seen.strings = true;
        break;
      }
      case 10: {
        WISP_ASSIGN_OR_RETURN(DecodedTensor t, parse_tensor(msg, state));
        a.tensors.push_back(std::move(t.tensor));
        seen.tensors = true;
        break;
      }
      case 11: {
        WISP_ASSIGN_OR_RETURN(auto g, sub_message(msg, "GraphProto"));
        WISP_ASSIGN_OR_RETURN(auto graph, parse_graph(g, state, depth + 1));
        a.graphs.push_back(std::move(graph));
        seen.graphs = true;
        break;
      }
      case 14: {
        WISP_ASSIGN_OR_RETURN(auto tp, sub_message(msg, "AttributeProto.tp"));
        const char* non_tensor = nullptr;
        WISP_RETURN_IF_ERROR(parse_type(tp, a.type, non_tensor));
        if (non_tensor) return unsupported(node.context(), "attribute type ", non_tensor, " is not supported");
        break;
      }
      case 22: case 23:
        return unsupported(node.context(), "sparse tensor attributes are not supported");
      default:
        msg.skip();
    }
  }
  if (name.empty()) return invalid_model(node.context(), "an attribute has no name");
  if (has_ref) return unsupported(node.context(), "attribute '", name, "' refers to a function attribute (ref_attr_name)");
  if (type == 0) type = seen.inferred_type();
  switch (type) {
    case kFloat: a.kind = Attribute::Kind::Float; break;
    case kInt: a.kind = Attribute::Kind::Int; break;
    case kString: a.kind = Attribute::Kind::String; break;
    case kTensor: a.kind = Attribute::Kind::Tensor; break;
    case kGraph: a.kind = Attribute::Kind::Graph; break;
    case kFloats: a.kind = Attribute::Kind::Floats; break;
    case kInts: a.kind = Attribute::Kind::Ints; break;
    case kStrings: a.kind = Attribute::Kind::Strings; break;
    case kTensors: a.kind = Attribute::Kind::Tensors; break;
    case kGraphs: a.kind = Attribute::Kind::Graphs; break;
    case kSparseTensor: case kSparseTensors:
      return unsupported(node.context(), "attribute '", name, "' holds sparse tensors, which are not supported");
    case kTypeProto: a.kind = Attribute::Kind::Type; break;
    case kTypeProtos:
      return unsupported(node.context(), "attribute '", name, "' holds types (TypeProto), which are not supported");
    case 0:
      return invalid_model(node.context(), "attribute '", name, "' has no type and no value");
    default:
      return invalid_model(node.context(), "attribute '", name, "' has unknown type ", type);
  }
  if (a.kind == Attribute::Kind::Graph && !a.g) return invalid_model(node.context(), "graph attribute '", name, "' is empty");
  if (a.kind == Attribute::Kind::Tensor && !seen.t) {
    return invalid_model(node.context(), "tensor attribute '", name, "' has no tensor");
  }
  node.attributes[name] = std::move(a);
  return Status::ok();
}

Result<Node> parse_node(protozero::pbf_reader msg, const ParseState& state, int depth) {
  Node node;
  std::vector<protozero::data_view> attributes;
  while (msg.next()) {
    switch (msg.tag()) {
      case 1: { WISP_ASSIGN_OR_RETURN(std::string s, get_string(msg, "NodeProto.input")); node.inputs.push_back(std::move(s)); break; }
      case 2: { WISP_ASSIGN_OR_RETURN(std::string s, get_string(msg, "NodeProto.output")); node.outputs.push_back(std::move(s)); break; }
      case 3: { WISP_ASSIGN_OR_RETURN(node.name, get_string(msg, "NodeProto.name")); break; }
      case 4: { WISP_ASSIGN_OR_RETURN(node.op_type, get_string(msg, "NodeProto.op_type")); break; }
      case 7: { WISP_ASSIGN_OR_RETURN(node.domain, get_string(msg, "NodeProto.domain")); break; }
      case 5:
        if (msg.wire_type() != WireType::length_delimited) return invalid_model("malformed NodeProto.attribute");
        attributes.push_back(msg.get_view());  // parsed once the node's name is known (for errors)
        break;
      default: msg.skip();
    }
  }
  if (node.op_type.empty()) return invalid_model("a node named '", node.name, "' has no op_type");
  if (node.domain == "ai.onnx") node.domain.clear();
  for (protozero::data_view view : attributes) {
    WISP_RETURN_IF_ERROR(guard::check_message(view.data(), view.size(), "AttributeProto"));
    WISP_RETURN_IF_ERROR(parse_attribute(protozero::pbf_reader(view.data(), view.size()), state, depth, node));
  }
  return node;
}

Result<std::shared_ptr<Graph>> parse_graph(protozero::pbf_reader msg, const ParseState& state, int depth) {
  const int max_depth = std::min(state.options.limits.max_graph_depth, kMaxGraphNesting);
  if (depth > max_depth) return invalid_model("subgraphs are nested more than ", max_depth, " levels deep");
  auto graph = std::make_shared<Graph>();
  std::vector<ValueInfo> declared_inputs;
  while (msg.next()) {
    switch (msg.tag()) {
      case 1: {
        WISP_ASSIGN_OR_RETURN(auto n, sub_message(msg, "NodeProto"));
        WISP_ASSIGN_OR_RETURN(Node node, parse_node(n, state, depth));
        graph->nodes.push_back(std::move(node));
        break;
      }
      case 2: { WISP_ASSIGN_OR_RETURN(graph->name, get_string(msg, "GraphProto.name")); break; }
      case 5: {
        WISP_ASSIGN_OR_RETURN(DecodedTensor t, parse_tensor(msg, state));
        if (t.name.empty()) return invalid_model("an initializer has no name");
        graph->initializers[t.name] = std::move(t.tensor);
        break;
      }
      case 15: return unsupported("sparse initializers are not supported");
      case 11: case 12: case 13: {
        const uint32_t tag = msg.tag();
        WISP_ASSIGN_OR_RETURN(auto v, sub_message(msg, "ValueInfoProto"));
        const char* non_tensor = nullptr;
        WISP_ASSIGN_OR_RETURN(ValueInfo info, parse_value_info(v, non_tensor));
        // The main graph's inputs and outputs cross the API, which carries tensors, sequences
        // and optionals only.
        if (non_tensor && depth == 0 && tag != 13) {
          return unsupported("graph ", tag == 11 ? "input" : "output", " '", info.name, "' is ", non_tensor,
                             "; map and sparse values are not supported");
        }
        WISP_RETURN_IF_ERROR(check_declared_shape(info, state.options.limits.max_tensor_elements));
        if (tag == 11) declared_inputs.push_back(std::move(info));
        else if (tag == 12) graph->outputs.push_back(std::move(info));
        else graph->value_infos[info.name] = std::move(info);
        break;
      }
      default: msg.skip();
    }
  }
  // Graph inputs that are also initializers are constants with an overridable default;
  // Wisp treats them as constants (as ONNX Runtime does by default for IR >= 4).
  for (ValueInfo& in : declared_inputs) {
    if (!graph->initializers.count(in.name)) graph->inputs.push_back(std::move(in));
  }
  return graph;
}

}  // namespace

Result<Model> load_onnx(const FileBytes& bytes, const LoadOptions& options) {
  const char* data = reinterpret_cast<const char*>(bytes.data);
  if (bytes.size > size_t(0xffffffffu)) {
    return unsupported("ONNX files over 4 GB cannot be parsed as one protobuf; use external data or .wisp");
  }
  WISP_RETURN_IF_ERROR(guard::check_message(data, bytes.size, "ModelProto (is this an ONNX file?)"));
  ParseState state{options, {}};
  state.tensor_options.owner = bytes.owner;
  state.tensor_options.base_dir = options.base_dir;
  state.tensor_options.limits = options.limits;

  Model model;
  bool has_graph = false;
  protozero::pbf_reader msg(data, bytes.size);
  while (msg.next()) {
    switch (msg.tag()) {
      case 1: { WISP_ASSIGN_OR_RETURN(model.ir_version, get_varint(msg, "ModelProto.ir_version")); break; }
      case 2: { WISP_ASSIGN_OR_RETURN(model.producer_name, get_string(msg, "ModelProto.producer_name")); break; }
      case 3: { WISP_ASSIGN_OR_RETURN(model.producer_version, get_string(msg, "ModelProto.producer_version")); break; }
      case 7: {
        WISP_ASSIGN_OR_RETURN(auto g, sub_message(msg, "GraphProto"));
        WISP_ASSIGN_OR_RETURN(auto graph, parse_graph(g, state, 0));
        model.graph = std::move(*graph);
        has_graph = true;
        break;
      }
      case 8: {
        WISP_ASSIGN_OR_RETURN(auto op, sub_message(msg, "OperatorSetIdProto"));
        std::string domain;
        int64_t version = 0;
        while (op.next()) {
          if (op.tag() == 1) {
            WISP_ASSIGN_OR_RETURN(domain, get_string(op, "opset domain"));
          } else if (op.tag() == 2) {
            WISP_ASSIGN_OR_RETURN(version, get_varint(op, "opset version"));
          } else {
            op.skip();
          }
        }
        if (domain == "ai.onnx") domain.clear();
        model.opsets[domain] = version;
        break;
      }
      case 14: {
        WISP_ASSIGN_OR_RETURN(auto kv, sub_message(msg, "metadata_props"));
        std::string key, value;
        while (kv.next()) {
          if (kv.tag() == 1) {
            WISP_ASSIGN_OR_RETURN(key, get_string(kv, "metadata key"));
          } else if (kv.tag() == 2) {
            WISP_ASSIGN_OR_RETURN(value, get_string(kv, "metadata value"));
          } else {
            kv.skip();
          }
        }
        model.metadata[key] = value;
        break;
      }
      default: msg.skip();
    }
  }
  if (!has_graph) return invalid_model("not an ONNX model: no graph found");
  model.keepalive = bytes.owner;
  return model;
}

}  // namespace wisp
