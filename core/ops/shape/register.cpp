#include "core/ops/op.h"
#include "core/ops/register_all.h"
#include "core/ops/shape/shape_ops.h"

namespace wisp {

void register_shape_ops(OpRegistry& registry) {
  shape_ops::register_constant_ops(registry);
  shape_ops::register_view_ops(registry);
  shape_ops::register_transpose_ops(registry);
  shape_ops::register_concat_ops(registry);
  shape_ops::register_slice_ops(registry);
  shape_ops::register_gather_ops(registry);
  shape_ops::register_scatter_ops(registry);
  shape_ops::register_pad_ops(registry);
  shape_ops::register_expand_ops(registry);
  shape_ops::register_resize_ops(registry);
  shape_ops::register_index_ops(registry);
  shape_ops::register_unique_ops(registry);
  shape_ops::register_col2im_ops(registry);
  shape_ops::register_grid_sample_ops(registry);
}

}  // namespace wisp
