// NonMaxSuppression: greedy per (batch, class) selection of boxes by descending score, dropping
// boxes whose IoU with an already selected box exceeds iou_threshold.
// Output rows are (batch_index, class_index, box_index), batch-major, then class, then rank.
#include <algorithm>
#include <numeric>

#include "core/ops/nn/float_io.h"
#include "core/ops/nn/nn_ops.h"

namespace wisp::nn {
namespace {

struct Box {
  double y1, x1, y2, x2;  // normalised so that y1 <= y2 and x1 <= x2
  double area() const { return (y2 - y1) * (x2 - x1); }
};

double iou(const Box& a, const Box& b) {
  const double ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  const double iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  if (ih <= 0 || iw <= 0) return 0;
  const double inter = ih * iw;
  const double uni = a.area() + b.area() - inter;
  return uni <= 0 ? 0 : inter / uni;
}

class NmsOp final : public OpKernel {
 public:
  Status init(const OpBuildContext& ctx) override {
    WISP_ASSIGN_OR_RETURN(int64_t cpb, ctx.node.attr_int("center_point_box", 0));
    WISP_CHECK_MODEL(cpb == 0 || cpb == 1, "center_point_box must be 0 or 1, got ", cpb);
    center_point_ = cpb == 1;
    return Status::ok();
  }

  Status run(OpContext& ctx) const override {
    WISP_CHECK_ARG(ctx.has_input(0) && ctx.has_input(1), "NonMaxSuppression needs boxes and scores");
    const Tensor& boxes = ctx.input(0);
    const Tensor& scores = ctx.input(1);
    WISP_CHECK_ARG(boxes.rank() == 3 && boxes.dim(2) == 4, "boxes must have shape [batches, boxes, 4], got ",
                   boxes.describe());
    WISP_CHECK_ARG(scores.rank() == 3 && scores.dim(0) == boxes.dim(0) && scores.dim(2) == boxes.dim(1),
                   "scores must have shape [", boxes.dim(0), ", classes, ", boxes.dim(1), "], got ", scores.describe());
    WISP_CHECK_ARG(dtype_is_float(boxes.dtype()) && dtype_is_float(scores.dtype()), "boxes and scores must be float");
    auto scalar = [&](size_t i, const char* name, double fallback, double& value) -> Status {
      value = fallback;
      if (!ctx.has_input(i)) return Status::ok();
      WISP_CHECK_ARG(ctx.input(i).numel() <= 1, name, " must be a scalar, got ", ctx.input(i).describe());
      if (ctx.input(i).numel() == 1) value = ctx.input(i).get_as_double(0);
      return Status::ok();
    };
    double max_out = 0, iou_threshold = 0, score_threshold = 0;
    WISP_RETURN_IF_ERROR(scalar(2, "max_output_boxes_per_class", 0, max_out));
    WISP_RETURN_IF_ERROR(scalar(3, "iou_threshold", 0, iou_threshold));
    WISP_RETURN_IF_ERROR(scalar(4, "score_threshold", 0, score_threshold));
    const bool has_score_threshold = ctx.has_input(4) && ctx.input(4).numel() == 1;
    WISP_CHECK_ARG(iou_threshold >= 0 && iou_threshold <= 1, "iou_threshold must be in [0, 1], got ", iou_threshold);
    const int64_t max_per_class = max_out < 0 ? 0 : int64_t(max_out);

    const int64_t batches = boxes.dim(0), num_boxes = boxes.dim(1), classes = scores.dim(1);
    std::vector<int64_t> selected;  // flattened triples
    std::vector<Box> bx(static_cast<size_t>(num_boxes));
    std::vector<int64_t> order;
    std::vector<int64_t> kept;
    for (int64_t b = 0; b < batches && max_per_class > 0; ++b) {
      for (int64_t i = 0; i < num_boxes; ++i) {
        const int64_t o = (b * num_boxes + i) * 4;
        double v0 = boxes.get_as_double(o), v1 = boxes.get_as_double(o + 1);
        double v2 = boxes.get_as_double(o + 2), v3 = boxes.get_as_double(o + 3);
        Box& box = bx[size_t(i)];
        if (center_point_) {  // [x_center, y_center, width, height]
          box = {v1 - v3 / 2, v0 - v2 / 2, v1 + v3 / 2, v0 + v2 / 2};
        } else {  // [y1, x1, y2, x2], corners in either order
          box = {std::min(v0, v2), std::min(v1, v3), std::max(v0, v2), std::max(v1, v3)};
        }
      }
      for (int64_t c = 0; c < classes; ++c) {
        const int64_t so = (b * classes + c) * num_boxes;
        order.clear();
        for (int64_t i = 0; i < num_boxes; ++i) {
          if (!has_score_threshold || scores.get_as_double(so + i) > score_threshold) order.push_back(i);
        }
        std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t d) {
          return scores.get_as_double(so + a) > scores.get_as_double(so + d);
        });
        kept.clear();
        for (int64_t i : order) {
          if (int64_t(kept.size()) >= max_per_class) break;
          bool suppressed = false;
          for (int64_t k : kept) {
            if (iou(bx[size_t(i)], bx[size_t(k)]) > iou_threshold) {
              suppressed = true;
              break;
            }
          }
          if (suppressed) continue;
          kept.push_back(i);
          selected.insert(selected.end(), {b, c, i});
        }
      }
    }
    const int64_t rows = int64_t(selected.size() / 3);
    WISP_ASSIGN_OR_RETURN(Tensor * out, ctx.allocate_output(0, DType::Int64, {rows, 3}));
    std::copy(selected.begin(), selected.end(), out->data<int64_t>());
    return Status::ok();
  }

 private:
  bool center_point_ = false;
};

}  // namespace

void register_nms_kernels(OpRegistry& r) { r.add<NmsOp>("NonMaxSuppression"); }

}  // namespace wisp::nn
