#include "core/tensor/value.h"

namespace wisp {

Value Value::sequence(DType element_type, std::vector<Tensor> elements) {
  Value v;
  v.kind_ = Kind::Sequence;
  v.element_type_ = element_type;
  v.elements_ = std::make_shared<const std::vector<Tensor>>(std::move(elements));
  return v;
}

const std::vector<Tensor>& Value::elements() const {
  static const std::vector<Tensor> kEmpty;
  return elements_ ? *elements_ : kEmpty;
}

std::string Value::describe() const {
  switch (kind_) {
    case Kind::Undefined: return "no value";
    case Kind::Tensor: return tensor_.describe();
    case Kind::Sequence:
      return std::string("sequence<") + dtype_name(element_type_) + "> of " + std::to_string(elements().size());
    case Kind::None: return "an empty optional";
  }
  return "?";
}

}  // namespace wisp
