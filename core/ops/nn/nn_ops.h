// Registration hooks of the files in core/ops/nn/ (called from register.cpp).
#pragma once

namespace wisp {
class OpRegistry;
}

namespace wisp::nn {

void register_pooling_kernels(OpRegistry& r);        // pooling.cpp, global_pool.cpp, unpool.cpp
void register_normalization_kernels(OpRegistry& r);  // normalization.cpp, lrn.cpp
void register_softmax_kernels(OpRegistry& r);        // softmax.cpp: Softmax, LogSoftmax, Hardmax
void register_dropout_kernels(OpRegistry& r);        // dropout.cpp
void register_nms_kernels(OpRegistry& r);            // nms.cpp: NonMaxSuppression
void register_einsum_kernels(OpRegistry& r);         // einsum.cpp
void register_loss_kernels(OpRegistry& r);           // loss.cpp: NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss

}  // namespace wisp::nn
