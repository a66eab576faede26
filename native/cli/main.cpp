// `wisp`: inspect, run, benchmark and convert models from the command line.
// Adding a command: write native/cli/<name>.cpp with `int <name>_command(const Args&)`,
// declare it in commands.h and add one line to kCommands below.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>

#include "native/cli/commands.h"
#include "native/cli/options.h"

#ifndef WISP_VERSION
#define WISP_VERSION "0.0.0"
#endif

namespace {

using namespace wisp::cli;

struct Command {
  const char* name;
  int (*run)(const Args& args);
  const char* summary;
};

constexpr Command kCommands[] = {
    {"info", info_command, "show a model's inputs, outputs, operators and parameters"},
    {"run", run_command, "run a model once on .npy or random inputs and save the outputs"},
    {"bench", bench_command, "time repeated runs of a model"},
    {"stress", stress_command, "run a model from many threads at once; check results and memory"},
    {"convert", convert_command, "convert an .onnx model to the .wisp format"},
    {"ocr", ocr_command, "read the text in an image (PP-OCR detection + recognition)"},
};

void print_help() {
  std::printf("usage: wisp COMMAND [ARGS...]\n\nWisp %s, an inference runtime for ONNX models.\n\ncommands:\n",
              WISP_VERSION);
  for (const Command& c : kCommands) std::printf("  %-10s %s\n", c.name, c.summary);
  std::printf("\n`wisp COMMAND --help` describes a command. `wisp --version` prints the version.\n");
}

}  // namespace

int main(int argc, char** argv) {
#ifdef __wasi__
  // WASI programs start in "/"; the runner (wasi/run-wasi.mjs) passes the host's working
  // directory in PWD and preopens it, so relative paths mean the same as natively.
  if (const char* pwd = std::getenv("PWD")) {
    if (*pwd) (void)chdir(pwd);
  }
#endif
  if (argc < 2) {
    print_help();
    return kExitUsage;
  }
  std::string name = argv[1];
  if (name == "-h" || name == "--help" || name == "help") {
    print_help();
    return kExitOk;
  }
  if (name == "--version" || name == "-V") {
    std::printf("wisp %s\n", WISP_VERSION);
    return kExitOk;
  }
  for (const Command& c : kCommands) {
    if (name == c.name) return c.run(Args(argv + 2, argv + argc));
  }
  return usage_error("unknown command '" + name + "'");
}
