# Cross-builds the native target for AArch64 Linux (the NEON backend of the SIMD layer) with
# Debian's g++-aarch64-linux-gnu; the binaries run on x86 hosts under qemu-user, which CTest
# and .ci/test call through CMAKE_CROSSCOMPILING_EMULATOR. Header-only dependencies and flatc
# come from the host (cmake/Dependencies.cmake).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
