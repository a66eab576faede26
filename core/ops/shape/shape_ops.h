// Registration functions of the files in core/ops/shape/, called from register.cpp.
#pragma once

namespace wisp {
class OpRegistry;
}

namespace wisp::shape_ops {

void register_constant_ops(OpRegistry& r);  // Constant, ConstantOfShape, EyeLike, Range, Shape, Size
void register_view_ops(OpRegistry& r);      // Identity, Reshape, Flatten, Squeeze, Unsqueeze
void register_transpose_ops(OpRegistry& r); // Transpose, DepthToSpace, SpaceToDepth
void register_concat_ops(OpRegistry& r);    // Concat, Split
void register_slice_ops(OpRegistry& r);     // Slice
void register_gather_ops(OpRegistry& r);    // Gather, GatherElements, GatherND
void register_scatter_ops(OpRegistry& r);   // Scatter, ScatterElements, ScatterND
void register_pad_ops(OpRegistry& r);       // Pad, CenterCropPad
void register_expand_ops(OpRegistry& r);    // Expand, Tile
void register_resize_ops(OpRegistry& r);    // Resize, Upsample
void register_index_ops(OpRegistry& r);     // OneHot, NonZero, Trilu, Compress, ReverseSequence
void register_unique_ops(OpRegistry& r);    // Unique
void register_col2im_ops(OpRegistry& r);    // Col2Im
void register_grid_sample_ops(OpRegistry& r);  // GridSample

}  // namespace wisp::shape_ops
