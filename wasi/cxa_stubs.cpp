// WASI's libc++abi is built without exception support, so it has no __cxa_throw. Code that
// must be compiled with -fexceptions for WASI (protozero's headers throw on malformed input;
// the ONNX loader validates every buffer first so those throws cannot happen) still
// references these two functions. Reaching one is a bug in Wisp: report it and stop.
#include <cstddef>
#include <cstdio>
#include <cstdlib>

extern "C" {

void* __cxa_allocate_exception(std::size_t) {
  std::fputs("error: internal error: an exception was thrown in a build without exceptions\n", stderr);
  std::abort();
}

void __cxa_throw(void*, void*, void (*)(void*)) {
  std::fputs("error: internal error: an exception was thrown in a build without exceptions\n", stderr);
  std::abort();
}

}  // extern "C"
