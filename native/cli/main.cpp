// PLACEHOLDER: replaced by the CLI.
#include <cstdio>
#include "core/runtime/session.h"
int main(int argc, char** argv) {
  if (argc < 2) { std::fprintf(stderr, "usage: wisp MODEL\n"); return 2; }
  auto s = wisp::Session::load_file(argv[1]);
  if (!s) { std::fprintf(stderr, "error: %s\n", s.status().message().c_str()); return 1; }
  return 0;
}
