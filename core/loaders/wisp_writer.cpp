// Writes a Model as .wisp: header, FlatBuffer graph, then the tensor data section.
// The FlatBuffer is built in memory first (it holds no tensor bytes, so it stays small);
// tensor bytes are then streamed straight from the Model's tensors to the output.
#include <cstdio>
#include <functional>

#include "core/loaders/model_loader.h"
#include "core/loaders/wisp_format.h"
#include "schema/wisp_generated.h"

namespace wisp {

namespace {

namespace fb = wisp::fb;
using flatbuffers::Offset;

// The FlatBuffer has 32-bit offsets; stay well below 2 GB (only inline strings can grow it).
constexpr size_t kMaxGraphSectionBytes = size_t(1) << 30;

uint64_t align_up(uint64_t value, uint64_t alignment) { return (value + alignment - 1) / alignment * alignment; }

class WispWriter {
 public:
  // Builds the FlatBuffer and the list of data chunks.
  Status build(const Model& model) {
    std::vector<Offset<fb::OpsetImport>> opsets;
    for (const auto& [domain, version] : model.opsets) {
      opsets.push_back(fb::CreateOpsetImport(fbb_, fbb_.CreateString(domain), version));
    }
    std::vector<Offset<fb::MetadataEntry>> metadata;
    for (const auto& [key, value] : model.metadata) {
      metadata.push_back(fb::CreateMetadataEntry(fbb_, fbb_.CreateString(key), fbb_.CreateString(value)));
    }
    WISP_ASSIGN_OR_RETURN(Offset<fb::Graph> graph, write_graph(model.graph, 0));
    auto root = fb::CreateModel(fbb_, model.ir_version, fbb_.CreateVector(opsets),
                                fbb_.CreateString(model.producer_name), fbb_.CreateString(model.producer_version),
                                fbb_.CreateVector(metadata), graph);
    fbb_.Finish(root, fb::ModelIdentifier());
    WISP_RETURN_IF_ERROR(check_size());
    return Status::ok();
  }

  // Streams the whole file to `sink`, which returns false on a write error.
  Status emit(const std::function<bool(const void*, size_t)>& sink) const {
    WispHeader header;
    header.graph_offset = kWispHeaderSize;
    header.graph_size = fbb_.GetSize();
    header.data_offset = align_up(header.graph_offset + header.graph_size, kWispDataAlignment);
    header.data_size = data_size_;
    uint8_t head[kWispHeaderSize];
    encode_wisp_header(header, head);

    static const uint8_t zeros[kWispDataAlignment] = {};
    auto write = [&](const void* p, uint64_t n) { return n == 0 || sink(p, size_t(n)); };
    bool ok = write(head, sizeof head) && write(fbb_.GetBufferPointer(), fbb_.GetSize()) &&
              write(zeros, header.data_offset - header.graph_offset - header.graph_size);
    uint64_t position = 0;  // within the data section
    for (const Chunk& chunk : chunks_) {
      if (!ok) break;
      ok = write(zeros, chunk.offset - position) && write(chunk.data, chunk.size);
      position = chunk.offset + chunk.size;
    }
    // Alignment before trailing empty tensors still belongs to the data section.
    ok = ok && write(zeros, data_size_ - position);
    if (!ok) return make_error(ErrorCode::Internal, "write error while saving .wisp");
    return Status::ok();
  }

  uint64_t file_size() const {
    uint64_t data_offset = align_up(kWispHeaderSize + fbb_.GetSize(), kWispDataAlignment);
    return data_offset + data_size_;
  }

 private:
  struct Chunk {
    const void* data;
    uint64_t size;
    uint64_t offset;  // within the data section
  };

  Status check_size() const {
    if (fbb_.GetSize() > kMaxGraphSectionBytes) {
      return make_error(ErrorCode::ResourceExhausted, "the .wisp graph section would exceed ",
                        kMaxGraphSectionBytes, " bytes (too many inline strings)");
    }
    return Status::ok();
  }

  Offset<flatbuffers::Vector<Offset<flatbuffers::String>>> write_strings(const std::string* items, size_t count) {
    std::vector<Offset<flatbuffers::String>> offsets;
    offsets.reserve(count);
    for (size_t i = 0; i < count; ++i) offsets.push_back(fbb_.CreateString(items[i]));
    return fbb_.CreateVector(offsets);
  }

  Result<Offset<fb::TensorDesc>> write_tensor(const std::string& name, const Tensor& t) {
    if (!t.defined()) return invalid_argument("tensor '", name, "' is undefined and cannot be saved");
    auto dims = fbb_.CreateVector(t.shape());
    auto name_offset = fbb_.CreateString(name);
    if (t.dtype() == DType::String) {
      auto strings = write_strings(t.strings(), size_t(t.numel()));
      WISP_RETURN_IF_ERROR(check_size());
      return fb::CreateTensorDesc(fbb_, name_offset, int32_t(t.dtype()), dims, 0, 0, strings);
    }
    uint64_t offset = align_up(data_size_, kWispDataAlignment);
    uint64_t length = t.nbytes();
    if (length > 0) chunks_.push_back({t.raw_data(), length, offset});
    data_size_ = offset + length;
    return fb::CreateTensorDesc(fbb_, name_offset, int32_t(t.dtype()), dims, offset, length);
  }

  Result<Offset<fb::ValueInfo>> write_value_info(const ValueInfo& info) {
    std::vector<Offset<fb::Dim>> dims;
    for (const Dim& d : info.shape) {
      dims.push_back(fb::CreateDim(fbb_, d.value, d.symbol.empty() ? 0 : fbb_.CreateString(d.symbol)));
    }
    // No vector at all when the rank is unknown, so that readers can tell [] (a scalar) apart.
    auto dims_offset = info.has_shape ? fbb_.CreateVector(dims) : 0;
    return fb::CreateValueInfo(fbb_, fbb_.CreateString(info.name), int32_t(info.dtype), info.has_shape,
                               dims_offset, uint8_t(info.kind));
  }

  Result<Offset<flatbuffers::Vector<Offset<fb::ValueInfo>>>> write_value_infos(const std::vector<ValueInfo>& list) {
    std::vector<Offset<fb::ValueInfo>> out;
    for (const ValueInfo& info : list) {
      WISP_ASSIGN_OR_RETURN(auto offset, write_value_info(info));
      out.push_back(offset);
    }
    return fbb_.CreateVector(out);
  }

  Result<Offset<fb::Attribute>> write_attribute(const std::string& key, const Attribute& a, int depth) {
    using Kind = Attribute::Kind;
    auto name = fbb_.CreateString(key);
    // Children must be created before the table starts, so build each kind's payload first.
    Offset<flatbuffers::String> s;
    Offset<fb::TensorDesc> t;
    Offset<fb::Graph> g;
    Offset<flatbuffers::Vector<float>> floats;
    Offset<flatbuffers::Vector<int64_t>> ints;
    Offset<flatbuffers::Vector<Offset<flatbuffers::String>>> strings;
    Offset<flatbuffers::Vector<Offset<fb::TensorDesc>>> tensors;
    Offset<flatbuffers::Vector<Offset<fb::Graph>>> graphs;
    Offset<fb::ValueInfo> type;
    fb::AttributeKind kind;
    switch (a.kind) {
      case Kind::Float: kind = fb::AttributeKind::Float; break;
      case Kind::Int: kind = fb::AttributeKind::Int; break;
      case Kind::String:
        kind = fb::AttributeKind::String;
        s = fbb_.CreateString(a.s);
        break;
      case Kind::Tensor: {
        kind = fb::AttributeKind::Tensor;
        WISP_ASSIGN_OR_RETURN(t, write_tensor(key, a.t));
        break;
      }
      case Kind::Graph: {
        kind = fb::AttributeKind::Graph;
        if (!a.g) return invalid_argument("graph attribute '", key, "' is empty");
        WISP_ASSIGN_OR_RETURN(g, write_graph(*a.g, depth + 1));
        break;
      }
      case Kind::Floats:
        kind = fb::AttributeKind::Floats;
        floats = fbb_.CreateVector(a.floats);
        break;
      case Kind::Ints:
        kind = fb::AttributeKind::Ints;
        ints = fbb_.CreateVector(a.ints);
        break;
      case Kind::Strings:
        kind = fb::AttributeKind::Strings;
        strings = write_strings(a.strings.data(), a.strings.size());
        break;
      case Kind::Tensors: {
        kind = fb::AttributeKind::Tensors;
        std::vector<Offset<fb::TensorDesc>> list;
        for (const Tensor& item : a.tensors) {
          WISP_ASSIGN_OR_RETURN(auto offset, write_tensor("", item));
          list.push_back(offset);
        }
        tensors = fbb_.CreateVector(list);
        break;
      }
      case Kind::Graphs: {
        kind = fb::AttributeKind::Graphs;
        std::vector<Offset<fb::Graph>> list;
        for (const auto& item : a.graphs) {
          if (!item) return invalid_argument("graphs attribute '", key, "' holds an empty graph");
          WISP_ASSIGN_OR_RETURN(auto offset, write_graph(*item, depth + 1));
          list.push_back(offset);
        }
        graphs = fbb_.CreateVector(list);
        break;
      }
      case Kind::Type: {
        kind = fb::AttributeKind::Type;
        WISP_ASSIGN_OR_RETURN(type, write_value_info(a.type));
        break;
      }
      default: return invalid_argument("attribute '", key, "' has an unknown kind");
    }
    fb::AttributeBuilder b(fbb_);
    b.add_name(name);
    b.add_kind(kind);
    if (a.kind == Kind::Float) b.add_f(a.f);
    if (a.kind == Kind::Int) b.add_i(a.i);
    if (!s.IsNull()) b.add_s(s);
    if (!t.IsNull()) b.add_t(t);
    if (!g.IsNull()) b.add_g(g);
    if (!floats.IsNull()) b.add_floats(floats);
    if (!ints.IsNull()) b.add_ints(ints);
    if (!strings.IsNull()) b.add_strings(strings);
    if (!tensors.IsNull()) b.add_tensors(tensors);
    if (!graphs.IsNull()) b.add_graphs(graphs);
    if (!type.IsNull()) b.add_type(type);
    return b.Finish();
  }

  Result<Offset<fb::Node>> write_node(const Node& node, int depth) {
    std::vector<Offset<fb::Attribute>> attributes;
    for (const auto& [key, attribute] : node.attributes) {
      WISP_ASSIGN_OR_RETURN(auto offset, write_attribute(key, attribute, depth));
      attributes.push_back(offset);
    }
    auto attrs = fbb_.CreateVector(attributes);
    auto inputs = write_strings(node.inputs.data(), node.inputs.size());
    auto outputs = write_strings(node.outputs.data(), node.outputs.size());
    return fb::CreateNode(fbb_, fbb_.CreateString(node.name), fbb_.CreateString(node.op_type),
                          fbb_.CreateString(node.domain), inputs, outputs, attrs);
  }

  Result<Offset<fb::Graph>> write_graph(const Graph& graph, int depth) {
    // Deeper nesting than any reader accepts would only produce an unreadable file.
    if (depth > 64) return invalid_argument("subgraphs are nested more than 64 levels deep");
    std::vector<Offset<fb::Node>> nodes;
    for (const Node& node : graph.nodes) {
      Result<Offset<fb::Node>> offset = write_node(node, depth);
      if (!offset.is_ok()) return offset.status().with_context(node.context());
      nodes.push_back(offset.value());
    }
    auto nodes_offset = fbb_.CreateVector(nodes);
    WISP_ASSIGN_OR_RETURN(auto inputs, write_value_infos(graph.inputs));
    WISP_ASSIGN_OR_RETURN(auto outputs, write_value_infos(graph.outputs));
    std::vector<ValueInfo> infos;
    for (const auto& [name, info] : graph.value_infos) infos.push_back(info);
    WISP_ASSIGN_OR_RETURN(auto value_infos, write_value_infos(infos));
    std::vector<Offset<fb::TensorDesc>> initializers;
    for (const auto& [name, tensor] : graph.initializers) {
      WISP_ASSIGN_OR_RETURN(auto offset, write_tensor(name, tensor));
      initializers.push_back(offset);
    }
    auto initializers_offset = fbb_.CreateVector(initializers);
    WISP_RETURN_IF_ERROR(check_size());
    return fb::CreateGraph(fbb_, fbb_.CreateString(graph.name), nodes_offset, inputs, outputs,
                           initializers_offset, value_infos);
  }

  flatbuffers::FlatBufferBuilder fbb_{1 << 16};
  std::vector<Chunk> chunks_;
  uint64_t data_size_ = 0;
};

}  // namespace

Result<std::vector<uint8_t>> save_wisp_to_bytes(const Model& model) {
  WispWriter writer;
  WISP_RETURN_IF_ERROR(writer.build(model));
  uint64_t size = writer.file_size();
  if (size > uint64_t(SIZE_MAX)) return make_error(ErrorCode::ResourceExhausted, "the model is too large to save in memory");
  std::vector<uint8_t> out;
  out.reserve(size_t(size));
  WISP_RETURN_IF_ERROR(writer.emit([&](const void* p, size_t n) {
    const uint8_t* bytes = static_cast<const uint8_t*>(p);
    out.insert(out.end(), bytes, bytes + n);
    return true;
  }));
  return out;
}

Status save_wisp(const Model& model, const std::string& path) {
  WispWriter writer;
  WISP_RETURN_IF_ERROR(writer.build(model));
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return make_error(ErrorCode::NotFound, "cannot create '", path, "'");
  Status status = writer.emit([f](const void* p, size_t n) { return std::fwrite(p, 1, n, f) == n; });
  if (std::fclose(f) != 0 && status.is_ok()) status = make_error(ErrorCode::Internal, "error closing '", path, "'");
  if (!status.is_ok()) {
    std::remove(path.c_str());
    return status.with_context("'" + path + "': ");
  }
  return Status::ok();
}

}  // namespace wisp
