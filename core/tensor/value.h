// A runtime value of a graph: a tensor, a sequence of tensors, or an empty optional.
// An optional that holds something is represented by what it holds (ONNX treats a present
// optional<T> like T), so only the empty case needs a kind of its own.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/tensor/tensor.h"

namespace wisp {

class Value {
 public:
  enum class Kind : uint8_t { Undefined, Tensor, Sequence, None };

  Value() = default;
  // Implicit: tensors are by far the most common value, and every tensor is a value.
  Value(Tensor tensor) : kind_(tensor.defined() ? Kind::Tensor : Kind::Undefined), tensor_(std::move(tensor)) {}
  // A sequence of tensors of one element type (kept for empty sequences).
  static Value sequence(DType element_type, std::vector<Tensor> elements);
  // An optional holding nothing.
  static Value none() { Value v; v.kind_ = Kind::None; return v; }

  Kind kind() const { return kind_; }
  bool defined() const { return kind_ != Kind::Undefined; }
  bool is_tensor() const { return kind_ == Kind::Tensor; }
  bool is_sequence() const { return kind_ == Kind::Sequence; }
  bool is_none() const { return kind_ == Kind::None; }

  // The tensor; an undefined Tensor when this value is not a tensor.
  const Tensor& tensor() const { return tensor_; }
  Tensor& tensor() { return tensor_; }
  // The elements of a sequence (empty for other kinds). Sequences are immutable and shared.
  const std::vector<Tensor>& elements() const;
  DType element_type() const { return element_type_; }

  // "float32[2, 3]", "sequence<float32> of 4", "none" — for error messages.
  std::string describe() const;

 private:
  Kind kind_ = Kind::Undefined;
  Tensor tensor_;
  std::shared_ptr<const std::vector<Tensor>> elements_;
  DType element_type_ = DType::Undefined;
};

}  // namespace wisp
