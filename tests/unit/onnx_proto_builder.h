// Builds small ONNX protobuf messages in tests with protozero's writer, so that encodings the
// Python exporter never produces (unpacked repeated fields, type-less attributes, deep
// nesting, hostile sizes) can be fed to the loader. Field numbers follow onnx.proto.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <protozero/pbf_writer.hpp>

namespace wisp::test_proto {

// TensorProto header: dims (unpacked, as onnx.proto declares them), data_type and name.
inline std::string tensor_header(int32_t data_type, const std::vector<int64_t>& dims, const std::string& name = "t") {
  std::string out;
  protozero::pbf_writer w(out);
  for (int64_t d : dims) w.add_int64(1, d);
  w.add_int32(2, data_type);
  w.add_string(8, name);
  return out;
}

// Appends more fields to an existing message.
template <typename Fn>
std::string with(std::string message, Fn&& add) {
  protozero::pbf_writer w(message);
  add(w);
  return message;
}

inline std::string value_info(const std::string& name, int32_t elem_type, const std::vector<int64_t>& dims) {
  std::string shape, tensor_type, type, out;
  {
    protozero::pbf_writer s(shape);
    for (int64_t d : dims) {
      std::string dim;
      protozero::pbf_writer dw(dim);
      if (d >= 0) dw.add_int64(1, d);
      else dw.add_string(2, "N");
      s.add_message(1, dim);
    }
  }
  {
    protozero::pbf_writer t(tensor_type);
    t.add_int32(1, elem_type);
    t.add_message(2, shape);
  }
  protozero::pbf_writer(type).add_message(1, tensor_type);
  protozero::pbf_writer w(out);
  w.add_string(1, name);
  w.add_message(2, type);
  return out;
}

// A sequence-of-float value info.
// A value of type container<float tensor>: TypeProto field 4 is a sequence, 9 an optional,
// 5 a map (whose value_type, field 2, is then the tensor).
inline std::string container_value_info(const std::string& name, int container_field) {
  std::string elem_tensor, elem_type, seq, type, out;
  protozero::pbf_writer(elem_tensor).add_int32(1, 1);
  protozero::pbf_writer(elem_type).add_message(1, elem_tensor);
  protozero::pbf_writer(seq).add_message(container_field == 5 ? 2 : 1, elem_type);
  protozero::pbf_writer(type).add_message(container_field, seq);
  protozero::pbf_writer w(out);
  w.add_string(1, name);
  w.add_message(2, type);
  return out;
}
inline std::string sequence_value_info(const std::string& name) { return container_value_info(name, 4); }

inline std::string node(const std::string& op_type, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::vector<std::string>& attributes = {}) {
  std::string out;
  protozero::pbf_writer w(out);
  for (const auto& i : inputs) w.add_string(1, i);
  for (const auto& o : outputs) w.add_string(2, o);
  w.add_string(3, op_type + "_node");
  w.add_string(4, op_type);
  for (const auto& a : attributes) w.add_message(5, a);
  return out;
}

// GraphProto with nodes, initializers (TensorProtos), inputs and outputs (ValueInfoProtos).
inline std::string graph(const std::vector<std::string>& nodes, const std::vector<std::string>& initializers,
                         const std::vector<std::string>& inputs, const std::vector<std::string>& outputs) {
  std::string out;
  protozero::pbf_writer w(out);
  for (const auto& n : nodes) w.add_message(1, n);
  w.add_string(2, "g");
  for (const auto& t : initializers) w.add_message(5, t);
  for (const auto& i : inputs) w.add_message(11, i);
  for (const auto& o : outputs) w.add_message(12, o);
  return out;
}

inline std::string model(const std::string& graph_bytes, int64_t opset = 17) {
  std::string out, opset_id;
  protozero::pbf_writer o(opset_id);
  o.add_string(1, "");
  o.add_int64(2, opset);
  protozero::pbf_writer w(out);
  w.add_int64(1, 8);
  w.add_string(2, "wisp-test");
  w.add_message(7, graph_bytes);
  w.add_message(8, opset_id);
  return out;
}

}  // namespace wisp::test_proto
