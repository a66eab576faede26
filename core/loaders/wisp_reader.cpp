// Reads a .wisp file. Everything in it is untrusted: the header is checked against the file
// size, the FlatBuffer is run through flatbuffers::Verifier, and every tensor descriptor is
// checked (dtype, dims, byte length, range, alignment) before any byte of data is touched.
// Numeric tensors borrow their bytes from the file (zero copy) and keep it alive.
#include <cstring>

#include "core/loaders/model_loader.h"
#include "core/loaders/wisp_format.h"
#include "schema/wisp_generated.h"

namespace wisp {

namespace {

namespace fb = wisp::fb;

std::string str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

// flatbuffers' Verifier checks a vector's length prefix for 4-byte alignment but not that
// 8-byte elements are 8-byte aligned; a hostile file could make us read misaligned int64s.
Result<std::vector<int64_t>> read_int64s(const flatbuffers::Vector<int64_t>* v, const char* what) {
  std::vector<int64_t> out;
  if (!v || v->size() == 0) return out;  // an empty vector's data pointer is never read
  WISP_CHECK_MODEL(reinterpret_cast<uintptr_t>(v->data()) % alignof(int64_t) == 0, "misaligned ", what,
                   " vector");
  out.assign(v->begin(), v->end());
  return out;
}

class WispReader {
 public:
  WispReader(const FileBytes& bytes, const WispHeader& header, const LoadOptions& options)
      : bytes_(bytes), header_(header), options_(options) {}

  Result<Model> read(const fb::Model& root) {
    Model model;
    model.ir_version = root.ir_version();
    model.producer_name = str(root.producer_name());
    model.producer_version = str(root.producer_version());
    if (root.opsets()) {
      for (const fb::OpsetImport* opset : *root.opsets()) {
        std::string domain = str(opset->domain());
        WISP_CHECK_MODEL(model.opsets.emplace(domain, opset->version()).second, "opset domain '", domain,
                         "' is imported twice");
      }
    }
    if (root.metadata()) {
      for (const fb::MetadataEntry* entry : *root.metadata()) {
        model.metadata[str(entry->key())] = str(entry->value());
      }
    }
    WISP_CHECK_MODEL(root.graph() != nullptr, "the .wisp file has no graph");
    WISP_ASSIGN_OR_RETURN(model.graph, read_graph(*root.graph(), 0));
    model.keepalive = bytes_.owner;
    return model;
  }

 private:
  Result<Tensor> read_tensor(const fb::TensorDesc& desc, const std::string& what) {
    Result<Tensor> t = read_tensor_unchecked(desc);
    if (!t.is_ok()) return t.status().with_context(what + ": ");
    return t;
  }

  Result<Tensor> read_tensor_unchecked(const fb::TensorDesc& desc) {
    WISP_CHECK_MODEL(dtype_is_known(desc.dtype()) && desc.dtype() != int32_t(DType::Undefined),
                     "unknown dtype code ", desc.dtype());
    DType dtype = DType(desc.dtype());
    WISP_ASSIGN_OR_RETURN(Shape shape, read_int64s(desc.dims(), "dims"));
    for (int64_t d : shape) WISP_CHECK_MODEL(d >= 0, "negative dimension in shape ", shape_to_string(shape));
    Result<int64_t> n = checked_numel(shape, options_.limits.max_tensor_elements);
    if (!n.is_ok()) return invalid_model("shape ", shape_to_string(shape), " is too large: ", n.status().message());
    const uint64_t count = uint64_t(n.value());

    if (dtype == DType::String) {
      const auto* strings = desc.strings();
      const uint64_t have = strings ? strings->size() : 0;
      WISP_CHECK_MODEL(have == count, "string tensor of shape ", shape_to_string(shape), " holds ", have,
                       " strings, expected ", count);
      std::vector<std::string> values;
      values.reserve(size_t(count));
      if (strings) {
        for (const flatbuffers::String* s : *strings) values.push_back(str(s));
      }
      return Tensor::from_strings(std::move(shape), std::move(values));
    }

    const uint64_t element = dtype_size(dtype);
    // count <= max_tensor_elements, but the product may still overflow for a hostile limit.
    WISP_CHECK_MODEL(count <= UINT64_MAX / element, "byte size of shape ", shape_to_string(shape), " overflows");
    const uint64_t expected = count * element;
    const uint64_t offset = desc.data_offset();
    const uint64_t length = desc.data_length();
    WISP_CHECK_MODEL(length == expected, "data length ", length, " does not match ", dtype_name(dtype),
                     shape_to_string(shape), " (", expected, " bytes)");
    WISP_CHECK_MODEL(offset % kWispDataAlignment == 0, "data offset ", offset, " is not a multiple of ",
                     kWispDataAlignment);
    WISP_CHECK_MODEL(offset <= header_.data_size && length <= header_.data_size - offset, "data range [", offset,
                     ", +", length, ") is outside the data section (", header_.data_size, " bytes)");

    const uint8_t* src = bytes_.data + header_.data_offset + offset;
    if (reinterpret_cast<uintptr_t>(src) % kTensorAlignment == 0) {
      // Zero copy: the tensor points into the file bytes and keeps them alive.
      return Tensor::borrow(dtype, std::move(shape), const_cast<uint8_t*>(src), bytes_.owner);
    }
    // The bytes are in memory that is not 64-byte aligned (an in-memory copy); kernels expect
    // aligned tensors, so copy this one.
    WISP_ASSIGN_OR_RETURN(Tensor t, Tensor::empty(dtype, std::move(shape), heap_allocator(),
                                                  options_.limits.max_tensor_elements));
    if (length) std::memcpy(t.raw_data(), src, size_t(length));
    return t;
  }

  Result<ValueInfo> read_value_info(const fb::ValueInfo& in) {
    ValueInfo info;
    info.name = str(in.name());
    WISP_CHECK_MODEL(in.dtype() == 0 || dtype_is_known(in.dtype()), "value '", info.name,
                     "' has an unknown dtype code ", in.dtype());
    info.dtype = DType(in.dtype());
    WISP_CHECK_MODEL(in.kind() <= uint8_t(ValueKind::OptionalSequence), "value '", info.name,
                     "' has an unknown kind ", int(in.kind()));
    info.kind = ValueKind(in.kind());
    info.has_shape = in.has_shape();
    if (in.shape()) {
      WISP_CHECK_MODEL(info.has_shape || in.shape()->size() == 0, "value '", info.name,
                       "' has dimensions but no shape flag");
      for (const fb::Dim* d : *in.shape()) {
        WISP_CHECK_MODEL(d->value() >= -1, "value '", info.name, "' has a negative dimension ", d->value());
        info.shape.push_back(Dim{d->value(), str(d->symbol())});
      }
      WISP_RETURN_IF_ERROR(check_declared_shape(info, options_.limits.max_tensor_elements));
    }
    return info;
  }

  Result<std::vector<ValueInfo>> read_value_infos(const flatbuffers::Vector<flatbuffers::Offset<fb::ValueInfo>>* in) {
    std::vector<ValueInfo> out;
    if (!in) return out;
    for (const fb::ValueInfo* item : *in) {
      WISP_ASSIGN_OR_RETURN(ValueInfo info, read_value_info(*item));
      out.push_back(std::move(info));
    }
    return out;
  }

  static std::vector<std::string> read_strings(const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* in) {
    std::vector<std::string> out;
    if (in) {
      out.reserve(in->size());
      for (const flatbuffers::String* s : *in) out.push_back(str(s));
    }
    return out;
  }

  Result<Attribute> read_attribute(const fb::Attribute& in, const std::string& key, int depth) {
    using Kind = Attribute::Kind;
    Attribute a;
    switch (in.kind()) {
      case fb::AttributeKind::Float: a.kind = Kind::Float; a.f = in.f(); break;
      case fb::AttributeKind::Int: a.kind = Kind::Int; a.i = in.i(); break;
      case fb::AttributeKind::String: a.kind = Kind::String; a.s = str(in.s()); break;
      case fb::AttributeKind::Tensor: {
        a.kind = Kind::Tensor;
        WISP_CHECK_MODEL(in.t() != nullptr, "tensor attribute '", key, "' has no tensor");
        WISP_ASSIGN_OR_RETURN(a.t, read_tensor(*in.t(), "tensor attribute '" + key + "'"));
        break;
      }
      case fb::AttributeKind::Graph: {
        a.kind = Kind::Graph;
        WISP_CHECK_MODEL(in.g() != nullptr, "graph attribute '", key, "' has no graph");
        WISP_ASSIGN_OR_RETURN(Graph g, read_graph(*in.g(), depth + 1));
        a.g = std::make_shared<Graph>(std::move(g));
        break;
      }
      case fb::AttributeKind::Floats:
        a.kind = Kind::Floats;
        if (in.floats()) a.floats.assign(in.floats()->begin(), in.floats()->end());
        break;
      case fb::AttributeKind::Ints: {
        a.kind = Kind::Ints;
        WISP_ASSIGN_OR_RETURN(a.ints, read_int64s(in.ints(), "ints"));
        break;
      }
      case fb::AttributeKind::Strings: a.kind = Kind::Strings; a.strings = read_strings(in.strings()); break;
      case fb::AttributeKind::Tensors:
        a.kind = Kind::Tensors;
        if (in.tensors()) {
          for (const fb::TensorDesc* item : *in.tensors()) {
            WISP_ASSIGN_OR_RETURN(Tensor t, read_tensor(*item, "tensors attribute '" + key + "'"));
            a.tensors.push_back(std::move(t));
          }
        }
        break;
      case fb::AttributeKind::Graphs:
        a.kind = Kind::Graphs;
        if (in.graphs()) {
          for (const fb::Graph* item : *in.graphs()) {
            WISP_ASSIGN_OR_RETURN(Graph g, read_graph(*item, depth + 1));
            a.graphs.push_back(std::make_shared<Graph>(std::move(g)));
          }
        }
        break;
      case fb::AttributeKind::Type: {
        a.kind = Kind::Type;
        WISP_CHECK_MODEL(in.type() != nullptr, "type attribute '", key, "' has no type");
        WISP_ASSIGN_OR_RETURN(a.type, read_value_info(*in.type()));
        break;
      }
      default: return invalid_model("attribute '", key, "' has unknown kind ", int(in.kind()));
    }
    return a;
  }

  Result<Node> read_node(const fb::Node& in, int depth) {
    Node node;
    node.name = str(in.name());
    node.op_type = str(in.op_type());
    node.domain = str(in.domain());
    WISP_CHECK_MODEL(!node.op_type.empty(), "node '", node.name, "' has no op_type");
    node.inputs = read_strings(in.inputs());
    node.outputs = read_strings(in.outputs());
    if (in.attributes()) {
      for (const fb::Attribute* item : *in.attributes()) {
        std::string key = str(item->name());
        WISP_CHECK_MODEL(!key.empty(), "an attribute has no name");
        WISP_CHECK_MODEL(!node.has_attr(key), "attribute '", key, "' appears twice");
        WISP_ASSIGN_OR_RETURN(Attribute a, read_attribute(*item, key, depth));
        node.attributes.emplace(std::move(key), std::move(a));
      }
    }
    return node;
  }

  Result<Graph> read_graph(const fb::Graph& in, int depth) {
    WISP_CHECK_MODEL(depth <= options_.limits.max_graph_depth, "subgraphs are nested deeper than ",
                     options_.limits.max_graph_depth, " levels");
    Graph graph;
    graph.name = str(in.name());
    if (in.nodes()) {
      graph.nodes.reserve(in.nodes()->size());
      for (const fb::Node* item : *in.nodes()) {
        Result<Node> node = read_node(*item, depth);
        if (!node.is_ok()) {
          return node.status().with_context("node '" + str(item->name()) + "' (" + str(item->op_type()) + "): ");
        }
        graph.nodes.push_back(std::move(node).value());
      }
    }
    WISP_ASSIGN_OR_RETURN(graph.inputs, read_value_infos(in.inputs()));
    WISP_ASSIGN_OR_RETURN(graph.outputs, read_value_infos(in.outputs()));
    WISP_ASSIGN_OR_RETURN(std::vector<ValueInfo> infos, read_value_infos(in.value_infos()));
    for (ValueInfo& info : infos) {
      std::string name = info.name;
      WISP_CHECK_MODEL(graph.value_infos.emplace(name, std::move(info)).second, "value info '", name,
                       "' appears twice");
    }
    if (in.initializers()) {
      for (const fb::TensorDesc* item : *in.initializers()) {
        std::string name = str(item->name());
        WISP_CHECK_MODEL(!name.empty(), "an initializer has no name");
        WISP_CHECK_MODEL(!graph.initializers.count(name), "initializer '", name, "' appears twice");
        WISP_ASSIGN_OR_RETURN(Tensor t, read_tensor(*item, "initializer '" + name + "'"));
        graph.initializers.emplace(std::move(name), std::move(t));
      }
    }
    return graph;
  }

  const FileBytes& bytes_;
  WispHeader header_;
  const LoadOptions& options_;
};

}  // namespace

Result<Model> load_wisp(const FileBytes& bytes, const LoadOptions& options) {
  WISP_ASSIGN_OR_RETURN(WispHeader header, decode_wisp_header(bytes.data, bytes.size));
  WISP_CHECK_MODEL(header.graph_size < FLATBUFFERS_MAX_BUFFER_SIZE, ".wisp graph section is too large (",
                   header.graph_size, " bytes)");
  const uint8_t* graph = bytes.data + header.graph_offset;
  // FlatBuffer accessors read 8-byte scalars in place; when the caller's bytes put the graph
  // section at a misaligned address, read it from an aligned copy (it holds no tensor data).
  std::vector<uint64_t> aligned_copy;
  if (reinterpret_cast<uintptr_t>(graph) % 8 != 0) {
    aligned_copy.resize(size_t((header.graph_size + 7) / 8));
    std::memcpy(aligned_copy.data(), graph, size_t(header.graph_size));
    graph = reinterpret_cast<const uint8_t*>(aligned_copy.data());
  }
  flatbuffers::Verifier::Options verify;
  // Each level of subgraph nesting costs a handful of table/vector levels.
  verify.max_depth = flatbuffers::uoffset_t(16 + 8 * (options.limits.max_graph_depth + 1));
  // A table takes at least 4 bytes, so this never rejects a well-formed file.
  verify.max_tables = flatbuffers::uoffset_t(header.graph_size / 4 + 16);
  flatbuffers::Verifier verifier(graph, size_t(header.graph_size), verify);
  WISP_CHECK_MODEL(fb::VerifyModelBuffer(verifier),
                   ".wisp graph section is corrupt (FlatBuffer verification failed)");
  WispReader reader(bytes, header, options);
  Result<Model> model = reader.read(*fb::GetModel(graph));
  if (!model.is_ok()) return model.status().with_context("invalid .wisp file: ");
  return model;
}

}  // namespace wisp
