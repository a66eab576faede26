// protozero reports malformed input by throwing, and the core is built without exceptions.
// So every buffer is checked here before protozero reads it: with these checks passed,
// protozero's reads at that nesting level cannot fail. This is a bounds check only;
// decoding is protozero's.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/base/status.h"

namespace wisp::protobuf_guard {

// One message level: every tag valid, every varint terminated, every field inside the buffer.
Status check_message(const char* data, size_t size, const char* what);
// A packed repeated varint field: every varint terminated inside the buffer.
Status check_packed_varints(const char* data, size_t size, const char* what);
// A packed repeated fixed-size field: the length is a multiple of the element size.
Status check_packed_fixed(size_t size, size_t element_size, const char* what);

}  // namespace wisp::protobuf_guard
