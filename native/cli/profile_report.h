// `wisp bench --profile`: where a run's time goes, summed over the timed runs and shown per
// run (mean): per op type, the slowest nodes, and the allocator's share. Nodes run inside
// subgraphs count on their own, named by their path ("If_0/then/Conv_3"); If/Loop/Scan nodes
// count only their own time, so nothing is counted twice.
#pragma once

#include <string>
#include <vector>

#include "core/runtime/session.h"

namespace wisp::cli {

// Prints the profile tables after the bench summary. `top` limits the node table.
void print_profile(const std::vector<RunProfile>& runs, int top);
// The same as a JSON object ({"op_types":[...],"nodes":[...],...}) for `--json`.
std::string profile_json(const std::vector<RunProfile>& runs, int top);

}  // namespace wisp::cli
