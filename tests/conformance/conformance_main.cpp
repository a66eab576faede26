// Runs the ONNX backend test suites (tests/data/onnx-backend-tests) through Wisp and prints
// per-suite counts, one line per suite and a final line, each naming the target it was built
// for (native, wasi or web: WISP_CONFORMANCE_TARGET). Cases listed in the expected-failures
// file may fail without failing the run; any other failure makes the exit code non-zero.
// The same program runs natively, as build/wasi/wisp_conformance.wasm under
// `node wasi/run-wasi.mjs` and as build/web/wisp_conformance.js under `node`.
//
// usage: wisp_conformance [--suite-dir DIR] [--filter SUBSTR] [--expected-failures FILE]
//                         [--write-expected-failures FILE] [--verbose] [--list-failures]
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#ifdef __wasi__
#include <unistd.h>
#endif

#include "tests/conformance/case_runner.h"
#include "tests/conformance/dir_util.h"

#ifndef WISP_CONFORMANCE_TARGET
#define WISP_CONFORMANCE_TARGET "native"
#endif

using namespace wisp::conformance;

namespace {

struct Args {
  std::string suite_dir = "tests/data/onnx-backend-tests";
  std::string filter, expected_failures, write_expected_failures;
  bool verbose = false, list_failures = false;
};

bool parse_args(int argc, char** argv, Args& args) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (a == "--suite-dir") { if (!value(args.suite_dir)) return false; }
    else if (a == "--filter") { if (!value(args.filter)) return false; }
    else if (a == "--expected-failures") { if (!value(args.expected_failures)) return false; }
    else if (a == "--write-expected-failures") { if (!value(args.write_expected_failures)) return false; }
    else if (a == "--verbose") args.verbose = true;
    else if (a == "--list-failures") args.list_failures = true;
    else return false;
  }
  return true;
}

std::set<std::string> read_list(const std::string& path) {
  std::set<std::string> names;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (!line.empty()) names.insert(line);
  }
  return names;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef __wasi__
  // WASI programs start in "/"; wasi/run-wasi.mjs passes the host's working directory in PWD
  // and preopens it, so relative paths (the defaults above) mean the same as natively.
  if (const char* pwd = std::getenv("PWD")) {
    if (*pwd) (void)chdir(pwd);
  }
#endif
  const char* target = WISP_CONFORMANCE_TARGET;
  Args args;
  if (!parse_args(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: wisp_conformance [--suite-dir DIR] [--filter SUBSTR] [--expected-failures FILE]\n"
                 "                        [--write-expected-failures FILE] [--verbose] [--list-failures]\n");
    return 2;
  }
  if (!is_directory(args.suite_dir)) {
    std::fprintf(stderr, "error: suite folder '%s' not found (run .ci/setup to unpack the tests)\n", args.suite_dir.c_str());
    return 2;
  }
  std::set<std::string> expected;
  if (!args.expected_failures.empty()) expected = read_list(args.expected_failures);

  std::vector<std::string> failures, unexpected_failures, unexpected_passes;
  int total_passed = 0, total_failed = 0, total_na = 0;
  for (const char* suite : {"node", "pytorch-converted", "pytorch-operator", "simple", "light"}) {
    int passed = 0, failed = 0, na = 0;
    const std::string suite_dir = join_path(args.suite_dir, suite);
    const bool light = std::strcmp(suite, "light") == 0;
    for (const std::string& name : sorted_names(suite_dir)) {
      const std::string entry = join_path(suite_dir, name);
      const std::string onnx = ".onnx";
      if (light && !name.ends_with(onnx)) continue;
      if (!light && !is_directory(entry)) continue;
      std::string case_name = std::string(suite) + "/" + (light ? name.substr(0, name.size() - onnx.size()) : name);
      if (!args.filter.empty() && case_name.find(args.filter) == std::string::npos) continue;
      CaseResult r = light ? run_light_model(entry) : run_case(entry);
      if (r.outcome == Outcome::NotApplicable) {
        ++na;
      } else if (r.outcome == Outcome::Passed) {
        ++passed;
        if (expected.count(case_name)) unexpected_passes.push_back(case_name);
        if (args.verbose) std::printf("PASS %s\n", case_name.c_str());
      } else {
        ++failed;
        failures.push_back(case_name);
        if (!expected.count(case_name)) unexpected_failures.push_back(case_name + ": " + r.message);
        if (args.verbose || args.list_failures) std::printf("FAIL %s: %s\n", case_name.c_str(), r.message.c_str());
      }
      std::fflush(stdout);
    }
    std::printf("%s %s: %d passed, %d failed, %d not applicable\n", suite, target, passed, failed, na);
    total_passed += passed, total_failed += failed, total_na += na;
  }

  if (!args.write_expected_failures.empty()) {
    std::ofstream out(args.write_expected_failures);
    out << "# ONNX backend cases Wisp does not pass yet (wisp_conformance --write-expected-failures).\n";
    for (const std::string& name : failures) out << name << "\n";
  }
  for (const std::string& name : unexpected_passes) std::printf("now passes, remove from the expected failures: %s\n", name.c_str());
  for (const std::string& f : unexpected_failures) std::printf("UNEXPECTED FAILURE %s\n", f.c_str());
  std::printf("conformance %s: %d passed, %d failed (%zu expected), %d not applicable; unexpected failures: %zu, unexpected passes: %zu\n",
              target, total_passed, total_failed, total_failed - unexpected_failures.size(), total_na,
              unexpected_failures.size(), unexpected_passes.size());
  return unexpected_failures.empty() ? 0 : 1;
}
