// Registration hooks of the control-flow family, one per file.
#pragma once

namespace wisp {

class OpRegistry;

namespace control {
void add_if_op(OpRegistry& registry);        // if_op.cpp
void add_loop_op(OpRegistry& registry);      // loop_op.cpp
void add_scan_ops(OpRegistry& registry);     // scan_op.cpp
void add_sequence_ops(OpRegistry& registry);     // sequence_ops.cpp: Sequence*, SplitToSequence, ConcatFromSequence
void add_sequence_map_op(OpRegistry& registry);  // sequence_map.cpp
void add_optional_ops(OpRegistry& registry);     // optional_ops.cpp
}  // namespace control

}  // namespace wisp
