// Canonical-ABI memory: `cabi_realloc` (how the host puts lists and strings into our linear
// memory), the ownership of such buffers, and the static return area for results that do not
// fit in one core value. Knows nothing of wasi-nn.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

extern "C" void* cabi_realloc(void* old_ptr, size_t old_size, size_t align, size_t new_size);

namespace wisp::abi {

// Allocates `size` bytes for a list or string this component returns (freed by the export's
// cabi_post_* function with release()). Zero sizes get a shared non-null sentinel.
void* allocate(size_t size);
// Frees what cabi_realloc or allocate() returned; null and the zero-size sentinel are no-ops.
void release(void* ptr);
// An owner that release()s `ptr` when the last reference goes: lets a lowered list (the
// model bytes, a tensor's data) be used in place instead of copied.
std::shared_ptr<const void> adopt(void* ptr);
// 16 bytes, 8-aligned, for results that the canonical ABI returns through memory. One area
// is enough: the component is single-threaded and its exports do not call each other.
uint8_t* return_area();

}  // namespace wisp::abi
