// Registration hooks of the files in core/ops/reduce/ (called from register.cpp).
#pragma once

namespace wisp {
class OpRegistry;
}

namespace wisp::reduce {

void register_reduce_kernels(OpRegistry& r);  // reduce_ops.cpp: Reduce*
void register_arg_kernels(OpRegistry& r);     // arg_ops.cpp: ArgMax, ArgMin
void register_topk_kernels(OpRegistry& r);    // topk.cpp: TopK
void register_cumsum_kernels(OpRegistry& r);  // cumsum.cpp: CumSum

}  // namespace wisp::reduce
