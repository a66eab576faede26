// Canonical-ABI building blocks for wasm32, written by hand because no wit-bindgen is
// available here: the in-memory layout of lists, strings and result variants, the core
// export/import names the component model expects, and own/borrow handles of resources that
// this component defines. Only the abi_*.cpp files include this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "wasi/component/abi_memory.h"

// The interface names of the WIT in wasi/wit/deps/wasi-nn. Core exports are named
// "<interface>#<function>", resource functions "[constructor]R", "[method]R.name" and
// "[dtor]R"; the free-after-return hook of an export is "cabi_post_<export name>".
#define WISP_NN_VERSION "0.2.0-rc-2024-10-28"
#define WISP_NN_INTERFACE(name) "wasi:nn/" name "@" WISP_NN_VERSION
#define WISP_ABI_EXPORT(interface, function) \
  extern "C" __attribute__((export_name(WISP_NN_INTERFACE(interface) "#" function)))
#define WISP_ABI_POST_RETURN(interface, function) \
  extern "C" __attribute__((export_name("cabi_post_" WISP_NN_INTERFACE(interface) "#" function)))
// The resource intrinsics of a resource R that the component exports come from the import
// module "[export]<interface>" as "[resource-new]R", "[resource-rep]R" and "[resource-drop]R".
#define WISP_ABI_RESOURCE_IMPORT(interface, function) \
  __attribute__((import_module("[export]" WISP_NN_INTERFACE(interface)), import_name(function)))

namespace wisp::abi {

static_assert(sizeof(void*) == 4, "the canonical-ABI layouts below are those of wasm32");

// list<T>: pointer and element count (8 bytes, 4-aligned). string is list<u8> in UTF-8.
template <typename T>
struct List {
  T* ptr;
  uint32_t len;
};
using String = List<char>;

// A resource handle as the canonical ABI passes it: an index in the component's table.
using Handle = int32_t;

// result<own<R>, own<error>>: discriminant byte (0 ok, 1 error), then the handle at offset 4.
struct ResultHandle {
  uint8_t is_error;
  Handle handle;
};
static_assert(sizeof(ResultHandle) == 8 && offsetof(ResultHandle, handle) == 4);

// tuple<string, own<tensor>> (named-tensor): 12 bytes, 4-aligned.
struct NamedHandle {
  String name;
  Handle tensor;
};
static_assert(sizeof(NamedHandle) == 12 && offsetof(NamedHandle, tensor) == 8);

// result<list<named-tensor>, own<error>>: discriminant byte, then the larger case at offset 4.
struct ResultNamedList {
  uint8_t is_error;
  union {
    List<NamedHandle> ok;
    Handle error;
  } payload;
};
static_assert(sizeof(ResultNamedList) == 12 && offsetof(ResultNamedList, payload) == 4);

// A resource type R implemented by this component, with its three intrinsics. The
// representation ("rep") of a handle is the address of the C++ object. An `own<R>` that
// enters the component arrives as a handle (rep() reads it, drop() ends it and runs the
// destructor export); a `borrow<R>`, such as a method's self, arrives as the rep itself.
template <typename T, Handle (*New)(int32_t), int32_t (*Rep)(Handle), void (*Drop)(Handle)>
struct Resource {
  // Hands a new object out as an own<R> (the caller will drop it).
  static Handle own(std::unique_ptr<T> object) {
    return New(static_cast<int32_t>(reinterpret_cast<uintptr_t>(object.release())));
  }
  static T* from_rep(int32_t rep) { return reinterpret_cast<T*>(static_cast<uintptr_t>(static_cast<uint32_t>(rep))); }
  static T* rep(Handle handle) { return from_rep(Rep(handle)); }
  static void drop(Handle handle) { Drop(handle); }
  // Body of the [dtor] export.
  static void destroy(int32_t rep) { delete from_rep(rep); }
};

// Copies `count` elements into a fresh list for a return value (cabi_post_* releases it).
template <typename T>
List<T> copy_out(const T* data, size_t count) {
  T* ptr = static_cast<T*>(allocate(count * sizeof(T)));
  if (count) std::memcpy(ptr, data, count * sizeof(T));
  return List<T>{ptr, static_cast<uint32_t>(count)};
}

}  // namespace wisp::abi
