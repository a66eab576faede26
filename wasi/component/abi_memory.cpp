// See abi_memory.h.
#include "wasi/component/abi_memory.h"

#include <cstdio>
#include <cstdlib>

namespace wisp::abi {
namespace {

// Returned for zero-sized allocations: the canonical ABI needs an aligned, in-bounds pointer
// even for an empty list, and release() must not free it.
alignas(16) uint8_t g_empty[16];
alignas(8) uint8_t g_return_area[16];

[[noreturn]] void out_of_memory(size_t size) {
  // The canonical ABI has no way to report a failed allocation while lowering: trap.
  std::fprintf(stderr, "wisp-nn: out of memory allocating %zu bytes\n", size);
  std::abort();
}

}  // namespace

void* allocate(size_t size) {
  if (size == 0) return g_empty;
  void* ptr = std::malloc(size);  // wasi-libc's malloc is 16-aligned, more than any ABI type needs
  if (!ptr) out_of_memory(size);
  return ptr;
}

void release(void* ptr) {
  if (ptr && ptr != g_empty) std::free(ptr);
}

std::shared_ptr<const void> adopt(void* ptr) {
  return std::shared_ptr<const void>(ptr, [](const void* p) { release(const_cast<void*>(p)); });
}

uint8_t* return_area() { return g_return_area; }

}  // namespace wisp::abi

extern "C" __attribute__((export_name("cabi_realloc")))
void* cabi_realloc(void* old_ptr, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  if (align > 16) std::abort();  // no canonical-ABI type is aligned beyond 8
  if (!old_ptr || old_ptr == wisp::abi::g_empty) return wisp::abi::allocate(new_size);
  if (new_size == 0) {
    wisp::abi::release(old_ptr);
    return wisp::abi::allocate(0);
  }
  void* ptr = std::realloc(old_ptr, new_size);
  if (!ptr) wisp::abi::out_of_memory(new_size);
  return ptr;
}
