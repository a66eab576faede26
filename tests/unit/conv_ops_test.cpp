// Unit tests of Conv and ConvTranspose against naive reference loops: 1-D/2-D/3-D, groups
// (incl. depthwise), strides, dilations, asymmetric pads, auto_pad, constant (prepacked)
// and run-time weights, and the errors for inconsistent shapes and attributes.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>

#include "core/kernels/gemm.h"
#include "tests/unit/op_test_util.h"

using namespace wisp;
using namespace wisp::testing;

namespace {

double process_cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

Tensor random_tensor(const Shape& shape, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(size_t(numel(shape)));
  for (auto& x : v) x = dist(rng);
  return Tensor::from_vector<float>(shape, v);
}

struct ConvSpec {
  Shape x;        // [N, C, spatial...]
  int64_t cout;
  Shape kernel;
  std::vector<int64_t> strides, dilations, pads;  // pads: begins then ends
  int64_t group;
};

// Direct definition: y[n, o, p] = b[o] + sum_{c in group, t} w[o, c, t] * x[n, g*cin_g + c, p*s + t*d - pad].
Tensor reference_conv(const ConvSpec& s, const Tensor& x, const Tensor& w, const Tensor* b) {
  const size_t sp = s.kernel.size();
  std::array<int64_t, 3> in{1, 1, 1}, k{1, 1, 1}, st{1, 1, 1}, dl{1, 1, 1}, pb{0, 0, 0}, out{1, 1, 1};
  Shape out_shape{s.x[0], s.cout};
  for (size_t i = 0; i < sp; ++i) {
    const size_t j = 3 - sp + i;
    in[j] = s.x[2 + i];
    k[j] = s.kernel[i];
    st[j] = s.strides[i];
    dl[j] = s.dilations[i];
    pb[j] = s.pads[i];
    out[j] = (in[j] + s.pads[i] + s.pads[i + sp] - (k[j] - 1) * dl[j] - 1) / st[j] + 1;
    out_shape.push_back(out[j]);
  }
  Tensor y = Tensor::zeros(DType::Float32, out_shape).value();
  const int64_t cin = s.x[1], cin_g = cin / s.group, cout_g = s.cout / s.group;
  const float* xd = x.data<float>();
  const float* wd = w.data<float>();
  float* yd = y.data<float>();
  const int64_t in_size = in[0] * in[1] * in[2], out_size = out[0] * out[1] * out[2], ksize = k[0] * k[1] * k[2];
  for (int64_t n = 0; n < s.x[0]; ++n)
    for (int64_t o = 0; o < s.cout; ++o)
      for (int64_t od = 0; od < out[0]; ++od)
        for (int64_t oh = 0; oh < out[1]; ++oh)
          for (int64_t ow = 0; ow < out[2]; ++ow) {
            double sum = b ? b->data<float>()[o] : 0.0;
            const int64_t grp = o / cout_g;
            for (int64_t c = 0; c < cin_g; ++c)
              for (int64_t kd = 0; kd < k[0]; ++kd)
                for (int64_t kh = 0; kh < k[1]; ++kh)
                  for (int64_t kw = 0; kw < k[2]; ++kw) {
                    const int64_t id = od * st[0] + kd * dl[0] - pb[0], ih = oh * st[1] + kh * dl[1] - pb[1],
                                  iw = ow * st[2] + kw * dl[2] - pb[2];
                    if (id < 0 || id >= in[0] || ih < 0 || ih >= in[1] || iw < 0 || iw >= in[2]) continue;
                    sum += double(xd[(n * cin + grp * cin_g + c) * in_size + (id * in[1] + ih) * in[2] + iw]) *
                           double(wd[(o * cin_g + c) * ksize + (kd * k[1] + kh) * k[2] + kw]);
                  }
            yd[(n * s.cout + o) * out_size + (od * out[1] + oh) * out[2] + ow] = float(sum);
          }
  return y;
}

void check_conv(const ConvSpec& s, std::mt19937& rng, bool with_bias, bool constant_weights) {
  Shape wshape{s.cout, s.x[1] / s.group};
  wshape.insert(wshape.end(), s.kernel.begin(), s.kernel.end());
  Tensor x = random_tensor(s.x, rng), w = random_tensor(wshape, rng), b = random_tensor({s.cout}, rng);
  OpTest t{"Conv"};
  t.inputs = {x, w};
  if (with_bias) t.inputs.push_back(b);
  t.constant_inputs = {false, constant_weights, constant_weights};
  t.attr("strides", s.strides);
  t.attr("dilations", s.dilations);
  t.attr("pads", s.pads);
  t.attr("group", s.group);
  if (rng() % 2) t.attr("kernel_shape", s.kernel);
  auto r = t.run();
  INFO(r.status().message());
  REQUIRE(r.is_ok());
  check_tensor(r.value()[0], reference_conv(s, x, w, with_bias ? &b : nullptr), 1e-4, 1e-4);
}

}  // namespace

TEST_CASE("Conv matches the reference: fixed cases", "[conv]") {
  std::mt19937 rng(1);
  const std::vector<ConvSpec> specs = {
      {{1, 3, 7, 9}, 5, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, 1},          // plain 3x3 same
      {{2, 4, 8, 8}, 6, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, 1},          // pointwise, batch 2
      {{1, 4, 9, 9}, 4, {1, 1}, {2, 2}, {1, 1}, {0, 0, 0, 0}, 1},          // 1x1 stride 2
      {{1, 6, 10, 11}, 6, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, 6},        // depthwise
      {{2, 5, 13, 12}, 5, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, 5},        // depthwise stride 2
      {{1, 3, 17, 40}, 3, {5, 5}, {1, 1}, {1, 1}, {2, 2, 2, 2}, 3},        // depthwise 5x5 (padded copy, flat kernel)
      {{1, 2, 258, 258}, 2, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, 2},      // depthwise plane > 64K floats: read in place
      {{1, 2, 9, 110}, 2, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, 2},        // depthwise stride 2, 55 wide: row kernel
      {{1, 3, 11, 37}, 3, {5, 5}, {2, 2}, {1, 1}, {2, 1, 0, 3}, 3},        // depthwise asymmetric pads
      {{1, 2, 12, 15}, 2, {3, 3}, {1, 3}, {2, 3}, {2, 3, 1, 0}, 2},        // depthwise dilated, stride 3
      {{1, 4, 9, 9}, 8, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, 4},          // channel multiplier 2
      {{1, 6, 8, 7}, 9, {2, 3}, {2, 1}, {1, 2}, {0, 1, 1, 2}, 3},          // grouped
      {{1, 3, 20}, 4, {5}, {2}, {1}, {2, 2}, 1},                           // 1-D
      {{2, 4, 19}, 4, {3}, {1}, {2}, {2, 2}, 4},                           // 1-D depthwise dilated
      {{1, 2, 5, 6, 7}, 3, {3, 2, 3}, {1, 2, 1}, {1, 1, 2}, {1, 0, 1, 1, 1, 2}, 1},  // 3-D
      {{1, 4, 4, 5, 5}, 4, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1, 1, 1, 1}, 4},  // 3-D depthwise
      {{1, 1, 3, 3}, 2, {5, 5}, {1, 1}, {1, 1}, {1, 1, 1, 1}, 1},          // kernel wider than input
      {{1, 70, 6, 6}, 20, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, 1},        // K over two GEMM K blocks
      // 7x7 maps with 32+ output channels: computed transposed when the weights are constant
      {{2, 20, 7, 7}, 32, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, 1},        // pointwise, batch 2
      {{1, 12, 7, 7}, 48, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, 1},        // 3x3
      {{2, 8, 14, 14}, 32, {3, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}, 1},       // 3x3 stride 2 down to 7x7
      {{1, 16, 7, 7}, 64, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, 2},        // grouped, 32 per group
  };
  for (const ConvSpec& s : specs) {
    INFO("x " << shape_to_string(s.x) << " cout " << s.cout << " kernel " << shape_to_string(s.kernel) << " group "
              << s.group);
    for (int variant = 0; variant < 4; ++variant) check_conv(s, rng, variant & 1, variant & 2);
  }
}

TEST_CASE("Conv matches the reference: random 2-D cases", "[conv]") {
  std::mt19937 rng(5);
  auto pick = [&](int lo, int hi) { return int64_t(std::uniform_int_distribution<int>(lo, hi)(rng)); };
  for (int i = 0; i < 40; ++i) {
    ConvSpec s;
    const int64_t group = i % 3 == 0 ? pick(1, 4) : 1;
    const bool depthwise = i % 4 == 1;
    const int64_t cin = depthwise ? pick(1, 5) : group * pick(1, 4);
    s.group = depthwise ? cin : group;
    s.cout = depthwise ? cin : s.group * pick(1, 5);
    s.kernel = {pick(1, 4), pick(1, 4)};
    s.strides = {pick(1, 3), pick(1, 3)};
    s.dilations = {pick(1, 2), pick(1, 2)};
    s.pads = {pick(0, 2), pick(0, 2), pick(0, 2), pick(0, 2)};
    s.x = {pick(1, 2), cin, 0, 0};
    for (int d = 0; d < 2; ++d) {
      const int64_t span = (s.kernel[size_t(d)] - 1) * s.dilations[size_t(d)] + 1;
      s.x[size_t(2 + d)] = std::max<int64_t>(span - s.pads[size_t(d)] - s.pads[size_t(d + 2)], 1) + pick(0, 25);
    }
    INFO("case " << i << " x " << shape_to_string(s.x));
    check_conv(s, rng, i % 2, i % 5 < 2);
  }
}

TEST_CASE("Depthwise Conv matches the reference: plane sizes, strides, dilations, pads", "[conv]") {
  // Unit strides: narrow planes (1x1 up to a few vectors wide) walk the padded plane as one
  // flat run, wide ones (48+ columns) read the input in place with scalar edge columns; the
  // strided kernel goes row by row.
  // The plane kernels are compiled per ISA (picked with the GEMM's): every set in turn.
  const std::string original = kernels::gemm_isa_name();
  for (const char* isa : kernels::gemm_isa_names()) {
  INFO("kernel set " << isa);
  REQUIRE(kernels::set_gemm_isa(isa));
  std::mt19937 rng(17);
  auto pick = [&](int lo, int hi) { return int64_t(std::uniform_int_distribution<int>(lo, hi)(rng)); };
  for (int i = 0; i < 60; ++i) {
    ConvSpec s;
    const int64_t c = pick(1, 9);
    s.group = c;
    s.cout = c;
    const int64_t kk = i % 3 == 0 ? 5 : (i % 3 == 1 ? 3 : pick(1, 4));
    s.kernel = {kk, i % 7 == 0 ? pick(1, 5) : kk};
    s.strides = i % 2 ? std::vector<int64_t>{1, 1} : std::vector<int64_t>{pick(1, 2), pick(1, 2)};
    s.dilations = i % 5 == 4 ? std::vector<int64_t>{pick(1, 3), pick(1, 3)} : std::vector<int64_t>{1, 1};
    s.pads = i % 4 == 3 ? std::vector<int64_t>{0, 0, 0, 0}
                        : std::vector<int64_t>{pick(0, 2), pick(0, 2), pick(0, 2), pick(0, 2)};
    s.x = {pick(1, 2), c, 0, 0};
    for (int d = 0; d < 2; ++d) {
      const int64_t span = (s.kernel[size_t(d)] - 1) * s.dilations[size_t(d)] + 1;
      s.x[size_t(2 + d)] = std::max<int64_t>(span - s.pads[size_t(d)] - s.pads[size_t(d + 2)], 1) + pick(0, i % 2 ? 70 : 12);
    }
    INFO("case " << i << " x " << shape_to_string(s.x) << " kernel " << shape_to_string(s.kernel));
    check_conv(s, rng, i % 2, i % 3 < 2);
  }
  }
  kernels::set_gemm_isa(original.c_str());
}

TEST_CASE("Conv auto_pad SAME_UPPER / SAME_LOWER / VALID", "[conv]") {
  std::mt19937 rng(9);
  // 3x3 stride 2 on 7x8: output ceil(7/2) x ceil(8/2) = 4 x 4; total padding 2 (rows), 1 (cols).
  Tensor x = random_tensor({1, 2, 7, 8}, rng), w = random_tensor({3, 2, 3, 3}, rng);
  for (const std::string mode : {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
    OpTest t{"Conv"};
    t.inputs = {x, w};
    t.attr("auto_pad", mode);
    t.attr("strides", std::vector<int64_t>{2, 2});
    auto r = t.run();
    REQUIRE(r.is_ok());
    ConvSpec s{{1, 2, 7, 8}, 3, {3, 3}, {2, 2}, {1, 1}, {}, 1};
    if (mode == "SAME_UPPER") s.pads = {1, 0, 1, 1};  // odd padding at the end
    if (mode == "SAME_LOWER") s.pads = {1, 1, 1, 0};  // odd padding at the beginning
    if (mode == "VALID") s.pads = {0, 0, 0, 0};
    INFO(mode);
    check_tensor(r.value()[0], reference_conv(s, x, w, nullptr), 1e-4, 1e-4);
  }
  // Depthwise with SAME_UPPER (the PP-OCR pattern).
  Tensor xd = random_tensor({1, 4, 9, 10}, rng), wd = random_tensor({4, 1, 5, 5}, rng);
  OpTest t{"Conv"};
  t.inputs = {xd, wd};
  t.constant_inputs = {false, true};
  t.attr("auto_pad", std::string("SAME_UPPER"));
  t.attr("group", int64_t(4));
  t.attr("strides", std::vector<int64_t>{2, 2});
  auto r = t.run();
  REQUIRE(r.is_ok());
  ConvSpec s{{1, 4, 9, 10}, 4, {5, 5}, {2, 2}, {1, 1}, {2, 1, 2, 2}, 4};
  check_tensor(r.value()[0], reference_conv(s, xd, wd, nullptr), 1e-4, 1e-4);
}

TEST_CASE("Conv rejects inconsistent inputs and attributes", "[conv]") {
  std::mt19937 rng(2);
  auto run_err = [](OpTest t, const std::string& fragment) {
    auto r = t.run();
    REQUIRE_FALSE(r.is_ok());
    INFO(r.status().message());
    CHECK(r.status().message().find(fragment) != std::string::npos);
  };
  Tensor x = random_tensor({1, 4, 5, 5}, rng);
  OpTest channels{"Conv"};
  channels.inputs = {x, random_tensor({2, 3, 3, 3}, rng)};
  run_err(channels, "do not match");
  OpTest group{"Conv"};
  group.inputs = {x, random_tensor({3, 2, 3, 3}, rng)};
  group.attr("group", int64_t(2));
  run_err(group, "do not match");
  OpTest rank{"Conv"};
  rank.inputs = {x, random_tensor({2, 4, 3}, rng)};
  run_err(rank, "rank");
  OpTest big{"Conv"};
  big.inputs = {x, random_tensor({2, 4, 7, 7}, rng)};
  run_err(big, "larger than");
  OpTest bias{"Conv"};
  bias.inputs = {x, random_tensor({2, 4, 3, 3}, rng), random_tensor({3}, rng)};
  run_err(bias, "bias");
  OpTest pads{"Conv"};
  pads.inputs = {x, random_tensor({2, 4, 3, 3}, rng)};
  pads.attr("pads", std::vector<int64_t>{1, 1});
  run_err(pads, "pads");
  OpTest stride{"Conv"};
  stride.inputs = {x, random_tensor({2, 4, 3, 3}, rng)};
  stride.attr("strides", std::vector<int64_t>{0, 1});
  run_err(stride, "strides");
  OpTest autopad{"Conv"};
  autopad.inputs = {x, random_tensor({2, 4, 3, 3}, rng)};
  autopad.attr("auto_pad", std::string("SAME"));
  run_err(autopad, "auto_pad");
  OpTest dtype{"Conv"};
  dtype.inputs = {Tensor::from_vector<double>({1, 1, 2, 2}, {1, 2, 3, 4}), Tensor::from_vector<double>({1, 1, 1, 1}, {1})};
  run_err(dtype, "float32");
}

namespace {

// y[n, g*cout_g + o, p] += x[n, g*cin_g + c, i] * w[g*cin_g + c, o, t] where p = i*s + t*d - pad_begin.
Tensor reference_conv_transpose(const Tensor& x, const Tensor& w, const Tensor* b, int64_t group,
                                const std::vector<int64_t>& strides, const std::vector<int64_t>& dilations,
                                const std::vector<int64_t>& pad_begin, const Shape& out_spatial) {
  const size_t sp = out_spatial.size();
  std::array<int64_t, 3> in{1, 1, 1}, k{1, 1, 1}, st{1, 1, 1}, dl{1, 1, 1}, pb{0, 0, 0}, out{1, 1, 1};
  for (size_t i = 0; i < sp; ++i) {
    const size_t j = 3 - sp + i;
    in[j] = x.dim(int64_t(2 + i));
    k[j] = w.dim(int64_t(2 + i));
    st[j] = strides[i];
    dl[j] = dilations[i];
    pb[j] = pad_begin[i];
    out[j] = out_spatial[i];
  }
  const int64_t batch = x.dim(0), cin = x.dim(1), cin_g = cin / group, cout_g = w.dim(1), cout = cout_g * group;
  Shape out_shape{batch, cout};
  out_shape.insert(out_shape.end(), out_spatial.begin(), out_spatial.end());
  Tensor y = Tensor::zeros(DType::Float32, out_shape).value();
  const int64_t in_size = in[0] * in[1] * in[2], out_size = out[0] * out[1] * out[2], ksize = k[0] * k[1] * k[2];
  std::vector<double> acc(size_t(y.numel()), 0.0);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t ci = 0; ci < cin; ++ci)
      for (int64_t o = 0; o < cout_g; ++o)
        for (int64_t id = 0; id < in[0]; ++id)
          for (int64_t ih = 0; ih < in[1]; ++ih)
            for (int64_t iw = 0; iw < in[2]; ++iw)
              for (int64_t kd = 0; kd < k[0]; ++kd)
                for (int64_t kh = 0; kh < k[1]; ++kh)
                  for (int64_t kw = 0; kw < k[2]; ++kw) {
                    const int64_t od = id * st[0] + kd * dl[0] - pb[0], oh = ih * st[1] + kh * dl[1] - pb[1],
                                  ow = iw * st[2] + kw * dl[2] - pb[2];
                    if (od < 0 || od >= out[0] || oh < 0 || oh >= out[1] || ow < 0 || ow >= out[2]) continue;
                    const int64_t oc = (ci / cin_g) * cout_g + o;
                    acc[size_t((n * cout + oc) * out_size + (od * out[1] + oh) * out[2] + ow)] +=
                        double(x.data<float>()[(n * cin + ci) * in_size + (id * in[1] + ih) * in[2] + iw]) *
                        double(w.data<float>()[(ci * cout_g + o) * ksize + (kd * k[1] + kh) * k[2] + kw]);
                  }
  for (int64_t i = 0; i < y.numel(); ++i) {
    const int64_t oc = (i / out_size) % cout;
    y.data<float>()[i] = float(acc[size_t(i)] + (b ? b->data<float>()[oc] : 0.0));
  }
  return y;
}

}  // namespace

TEST_CASE("ConvTranspose matches the reference", "[conv]") {
  std::mt19937 rng(11);
  struct Spec {
    Shape x, w;
    int64_t group;
    std::vector<int64_t> strides, dilations, pads, output_padding;
  };
  const std::vector<Spec> specs = {
      {{1, 2, 3, 4}, {2, 3, 3, 3}, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}, {0, 0}},
      {{2, 4, 5, 5}, {4, 2, 3, 3}, 2, {2, 2}, {1, 1}, {1, 1, 1, 1}, {1, 1}},
      {{1, 3, 4, 6}, {3, 1, 2, 3}, 3, {2, 3}, {2, 1}, {0, 1, 1, 0}, {1, 0}},
      {{1, 2, 7}, {2, 4, 4}, 1, {3}, {1}, {1, 2}, {2}},
      {{1, 2, 3, 3, 2}, {2, 2, 2, 3, 2}, 1, {2, 1, 2}, {1, 2, 1}, {0, 1, 0, 1, 0, 0}, {1, 0, 0}},
  };
  for (const Spec& s : specs) {
    const size_t sp = s.x.size() - 2;
    Tensor x = random_tensor(s.x, rng), w = random_tensor(s.w, rng);
    Tensor b = random_tensor({s.w[1] * s.group}, rng);
    Shape out_spatial;
    std::vector<int64_t> pad_begin;
    for (size_t i = 0; i < sp; ++i) {
      out_spatial.push_back(s.strides[i] * (s.x[2 + i] - 1) + s.output_padding[i] + (s.w[2 + i] - 1) * s.dilations[i] +
                            1 - s.pads[i] - s.pads[i + sp]);
      pad_begin.push_back(s.pads[i]);
    }
    for (int variant = 0; variant < 4; ++variant) {
      OpTest t{"ConvTranspose"};
      t.inputs = {x, w};
      if (variant & 1) t.inputs.push_back(b);
      t.constant_inputs = {false, bool(variant & 2), bool(variant & 2)};
      t.attr("group", s.group);
      t.attr("strides", s.strides);
      t.attr("dilations", s.dilations);
      t.attr("pads", s.pads);
      t.attr("output_padding", s.output_padding);
      auto r = t.run();
      INFO(shape_to_string(s.x) << " variant " << variant << ": " << r.status().message());
      REQUIRE(r.is_ok());
      check_tensor(r.value()[0],
                   reference_conv_transpose(x, w, (variant & 1) ? &b : nullptr, s.group, s.strides, s.dilations,
                                            pad_begin, out_spatial),
                   1e-4, 1e-4);
    }
  }
  // output_shape decides the padding: 3x3 kernel, stride 2, input 3x3 -> natural 7x7; ask 6x6
  // (total padding 1, SAME_UPPER-like split: begin 0) and 8x8 (negative padding: extra at the end).
  Tensor x = random_tensor({1, 1, 3, 3}, rng), w = random_tensor({1, 2, 3, 3}, rng);
  for (int64_t size : {6, 7}) {
    OpTest t{"ConvTranspose"};
    t.inputs = {x, w};
    t.attr("strides", std::vector<int64_t>{2, 2});
    t.attr("output_shape", std::vector<int64_t>{size, size});
    auto r = t.run();
    REQUIRE(r.is_ok());
    const int64_t total = 7 - size;
    check_tensor(r.value()[0],
                 reference_conv_transpose(x, w, nullptr, 1, {2, 2}, {1, 1}, {total - total / 2, total - total / 2},
                                          {size, size}),
                 1e-4, 1e-4);
  }
  // Mismatched weights.
  OpTest bad{"ConvTranspose"};
  bad.inputs = {x, random_tensor({2, 2, 3, 3}, rng)};
  auto r = bad.run();
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().message().find("do not match") != std::string::npos);
}

TEST_CASE("ConvInteger and QLinearConv", "[conv]") {
  // 1x1x3x3 input, 1x1x2x2 kernel, pads 1: padding must act as the zero point.
  Tensor x = Tensor::from_vector<uint8_t>({1, 1, 3, 3}, {2, 3, 4, 5, 6, 7, 8, 9, 10});
  Tensor w = Tensor::from_vector<uint8_t>({1, 1, 2, 2}, {1, 1, 1, 1});
  OpTest t{"ConvInteger"};
  t.inputs = {x, w, Tensor::from_vector<uint8_t>({}, {1})};
  t.attr("pads", std::vector<int64_t>{1, 1, 1, 1});
  auto r = t.run();
  INFO(r.status().message());
  REQUIRE(r.is_ok());
  // (x - 1) = [[1,2,3],[4,5,6],[7,8,9]], summed over 2x2 windows of the zero-padded plane.
  check_tensor(r.value()[0], Tensor::from_vector<int32_t>({1, 1, 4, 4}, {1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15,
                                                                        17, 9}));
  OpTest q{"QLinearConv"};
  q.inputs = {x, Tensor::from_vector<float>({}, {0.5f}), Tensor::from_vector<uint8_t>({}, {1}),
              w, Tensor::from_vector<float>({}, {1.0f}), Tensor::from_vector<uint8_t>({}, {0}),
              Tensor::from_vector<float>({}, {1.0f}), Tensor::from_vector<uint8_t>({}, {3}),
              Tensor::from_vector<int32_t>({1}, {1})};
  r = q.run();
  INFO(r.status().message());
  REQUIRE(r.is_ok());
  // No padding: windows sum to 12, 16, 24, 28; rint((acc + 1) * 0.5) rounds 6.5, 8.5, 12.5,
  // 14.5 half to even, then + 3.
  check_tensor(r.value()[0], Tensor::from_vector<uint8_t>({1, 1, 2, 2}, {9, 11, 15, 17}));
}

// Not run by default: `wisp_unit_tests "[.bench]"` (or "Conv benchmark"; WISP_CONV_BENCH=substring
// runs only the shapes whose name contains it). Shapes from PP-OCRv4 det at 640x640 and
// ResNet-50 at 224x224. Prints wall time and, since the machine may be shared, GFLOP/s per
// CPU-second of the process (divided by the threads).
TEST_CASE("Conv benchmark", "[.bench]") {
  std::mt19937 rng(1);
  struct Bench {
    const char* name;
    Shape x, w;
    int64_t group, pad, stride;
  };
  const std::vector<Bench> benches = {
      {"det 3x3 96->24 @160x160", {1, 96, 160, 160}, {24, 96, 3, 3}, 1, 1, 1},
      {"det 1x1 16->32 @320x320", {1, 16, 320, 320}, {32, 16, 1, 1}, 1, 0, 1},
      {"det 1x1 192->192 @40x40", {1, 192, 40, 40}, {192, 192, 1, 1}, 1, 0, 1},
      {"det dw 5x5 96 @80x80", {1, 96, 80, 80}, {96, 1, 5, 5}, 96, 2, 1},
      {"det dw 3x3 s2 48 @160x160", {1, 48, 160, 160}, {48, 1, 3, 3}, 48, 1, 2},
      {"r50 7x7 s2 3->64 @224", {1, 3, 224, 224}, {64, 3, 7, 7}, 1, 3, 2},
      {"r50 1x1 64->64 @56", {1, 64, 56, 56}, {64, 64, 1, 1}, 1, 0, 1},
      {"r50 3x3 64->64 @56", {1, 64, 56, 56}, {64, 64, 3, 3}, 1, 1, 1},
      {"r50 1x1 64->256 @56", {1, 64, 56, 56}, {256, 64, 1, 1}, 1, 0, 1},
      {"r50 1x1 256->64 @56", {1, 256, 56, 56}, {64, 256, 1, 1}, 1, 0, 1},
      {"r50 3x3 s2 128 @56", {1, 128, 56, 56}, {128, 128, 3, 3}, 1, 1, 2},
      {"r50 1x1 s2 256->512 @56", {1, 256, 56, 56}, {512, 256, 1, 1}, 1, 0, 2},
      {"r50 3x3 128 @28", {1, 128, 28, 28}, {128, 128, 3, 3}, 1, 1, 1},
      {"r50 1x1 512->128 @28", {1, 512, 28, 28}, {128, 512, 1, 1}, 1, 0, 1},
      {"r50 3x3 256 @14", {1, 256, 14, 14}, {256, 256, 3, 3}, 1, 1, 1},
      {"r50 1x1 1024->256 @14", {1, 1024, 14, 14}, {256, 1024, 1, 1}, 1, 0, 1},
      {"r50 1x1 256->1024 @14", {1, 256, 14, 14}, {1024, 256, 1, 1}, 1, 0, 1},
      {"r50 3x3 s2 512 @14", {1, 512, 14, 14}, {512, 512, 3, 3}, 1, 1, 2},
      {"r50 1x1 s2 1024->2048 @14", {1, 1024, 14, 14}, {2048, 1024, 1, 1}, 1, 0, 2},
      {"r50 3x3 512 @7", {1, 512, 7, 7}, {512, 512, 3, 3}, 1, 1, 1},
      {"r50 1x1 2048->512 @7", {1, 2048, 7, 7}, {512, 2048, 1, 1}, 1, 0, 1},
      {"r50 1x1 512->2048 @7", {1, 512, 7, 7}, {2048, 512, 1, 1}, 1, 0, 1},
  };
  const char* only = std::getenv("WISP_CONV_BENCH");
  for (const Bench& b : benches) {
    if (only && !std::strstr(b.name, only)) continue;
    OpTest t{"Conv"};
    t.inputs = {random_tensor(b.x, rng), random_tensor(b.w, rng)};
    t.constant_inputs = {false, true};
    t.attr("group", b.group);
    t.attr("pads", std::vector<int64_t>{b.pad, b.pad, b.pad, b.pad});
    t.attr("strides", std::vector<int64_t>{b.stride, b.stride});
    Model model;  // run through a Session built once, timing only run()
    model.opsets[""] = 17;
    Node node;
    node.name = "conv";
    node.op_type = "Conv";
    node.attributes = t.attributes;
    node.inputs = {"x", "w"};
    node.outputs = {"y"};
    model.graph.initializers["w"] = t.inputs[1];
    ValueInfo xi;
    xi.name = "x";
    xi.dtype = DType::Float32;
    model.graph.inputs.push_back(xi);
    ValueInfo yi;
    yi.name = "y";
    model.graph.outputs.push_back(yi);
    model.graph.nodes.push_back(node);
    for (int threads : {1, 2}) {
      SessionOptions options;
      options.num_threads = threads;
      auto session = Session::from_model(model, options);
      REQUIRE(session.is_ok());
      NamedTensors feeds{{"x", t.inputs[0]}};
      REQUIRE(session.value()->run(feeds).is_ok());
      const int reps = 10;
      const double cpu0 = process_cpu_seconds();
      auto t0 = std::chrono::steady_clock::now();
      for (int r = 0; r < reps; ++r) (void)session.value()->run(feeds);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / reps;
      const double cpu_ms = (process_cpu_seconds() - cpu0) * 1e3 / reps / threads;
      const Tensor y = session.value()->run(feeds).value()[0].second;
      const double flop = 2.0 * double(y.numel()) * double(b.w[1] * b.w[2] * b.w[3]);
      std::printf("conv %-28s threads=%d: %8.3f ms wall, %8.3f ms CPU/thread, %6.1f GFLOP/s per CPU-second\n", b.name,
                  threads, ms, cpu_ms, flop / cpu_ms * 1e-6);
    }
  }
}
