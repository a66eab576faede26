// The few filesystem queries the conformance runner needs, written on the POSIX calls that
// every Wisp target has (glibc, wasi-libc, Emscripten's libc), so that the same runner builds
// natively, for WASI and for Node. std::filesystem is not an option: Debian's libc++ for
// wasm32-wasi (LLVM 16) is built without it (_LIBCPP_HAS_NO_FILESYSTEM_LIBRARY, and
// <filesystem> does not compile there).
#pragma once

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <string>
#include <vector>

namespace wisp::conformance {

inline bool path_exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

inline bool is_directory(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// "dir" + "name" -> "dir/name".
inline std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

// The last component: "a/b/model.onnx" -> "model.onnx".
inline std::string file_name(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The names in a folder (without "." and ".."), sorted; empty when it cannot be read.
inline std::vector<std::string> sorted_names(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (const dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace wisp::conformance
