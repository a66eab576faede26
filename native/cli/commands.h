// The `wisp` commands. Each lives in its own file and receives the arguments that follow
// its name; main.cpp maps names to these functions.
#pragma once

#include <string>
#include <vector>

namespace wisp::cli {

using Args = std::vector<std::string>;

int info_command(const Args& args);
int run_command(const Args& args);
int bench_command(const Args& args);
int stress_command(const Args& args);
int convert_command(const Args& args);
int ocr_command(const Args& args);

}  // namespace wisp::cli
