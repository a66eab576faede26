// Shared helpers for the control-flow ops (If, Loop, Scan): compiling body graphs, reading
// conditions, and moving slices in and out of stacked tensors.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/ops/op.h"
#include "core/runtime/plan.h"

namespace wisp::control {

// Compiles the graph attribute `key` of the node being built; fails when it is missing.
Result<std::shared_ptr<Plan>> compile_body(const OpBuildContext& ctx, const std::string& key);

// Reads a one-element tensor (bool or numeric) as a truth value.
Result<bool> read_condition(const Tensor& t, const char* what);
// Reads a one-element integer tensor.
Result<int64_t> read_int_scalar(const Tensor& t, const char* what);

// Copies `count` elements from src (starting at element src_at) to dst (at dst_at). Works for
// every dtype, strings included.
void copy_elements(const Tensor& src, int64_t src_at, Tensor& dst, int64_t dst_at, int64_t count);

// The slice at `index` along `axis`, with that axis removed. A zero-copy view when axis is 0.
Result<Tensor> take_slice(const Tensor& t, int64_t axis, int64_t index, const OpContext& ctx);

// Writes `slice` (shape = out.shape with `axis` removed) into `out` at position `index` of `axis`.
Status put_slice(const Tensor& slice, Tensor& out, int64_t axis, int64_t index);

// `shape` with `extent` inserted at `axis`.
Shape insert_axis(const Shape& shape, int64_t axis, int64_t extent);

// Stacks equally shaped slices along a new axis `axis` (slice i lands at index i).
Result<Tensor> stack_slices(const std::vector<Tensor>& slices, int64_t axis, const OpContext& ctx);

// An empty [0, ...] tensor for a scan output when no iteration ran, typed from the body's
// declared output (float32 and unknown trailing dims collapse to a rank-1 [0] otherwise).
Result<Tensor> empty_scan_output(const ValueInfo& declared, const OpContext& ctx);

}  // namespace wisp::control
