// Replays every input the fuzzers once crashed on (tests/fuzz/regressions/<target>/) through
// the same entry code as the fuzz targets (tests/fuzz/fuzz_entries.h): each must now be
// handled, accepted or refused with an error, without a crash. In the native-asan build this
// also catches a memory error that would not crash a plain build.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_entries.h"

namespace fs = std::filesystem;
using namespace wisp;

namespace {

fs::path regressions_dir() {
  return fs::path(WISP_SOURCE_DIR) / "tests" / "fuzz" / "regressions";
}

std::vector<fs::path> inputs_of(const std::string& target) {
  std::vector<fs::path> files;
  const fs::path dir = regressions_dir() / target;
  if (!fs::is_directory(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void replay(const std::string& target, const char* (*entry)(const uint8_t*, size_t)) {
  for (const fs::path& file : inputs_of(target)) {
    INFO(file.string());
    Result<FileBytes> bytes = read_file_bytes(file.string());
    REQUIRE(bytes.is_ok());
    const char* broken = entry(bytes.value().data, bytes.value().size);
    CHECK(broken == nullptr);
  }
}

}  // namespace

TEST_CASE("fuzz regressions: the folder is found") {
  REQUIRE(fs::is_directory(regressions_dir()));
}

TEST_CASE("fuzz regressions: onnx_loader") { replay("onnx_loader", &fuzz::onnx_loader); }
TEST_CASE("fuzz regressions: wisp_loader") { replay("wisp_loader", &fuzz::wisp_loader); }
TEST_CASE("fuzz regressions: npy") { replay("npy", &fuzz::npy); }
TEST_CASE("fuzz regressions: run_graph") { replay("run_graph", &fuzz::run_graph); }
