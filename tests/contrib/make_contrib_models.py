#!/usr/bin/python3
"""Builds small single-node models of com.microsoft contrib operators for
contrib_ops.test.mjs, which runs each on onnxruntime-node (the reference) and on Wisp.

Usage: make_contrib_models.py OUT_DIR

Every case becomes OUT_DIR/<case>/model.onnx with one <input name>.npy per graph input
(random data from a fixed seed, so reruns give identical files). An input left out of a
node (optional, given as "") is simply not a graph input.

One function per operator family returns its cases; add a family by appending its
function to FAMILIES (and its case names to the table in contrib_ops.test.mjs).
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, save

OPSETS = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
MS = "com.microsoft"
F32, F16, I32, I64 = np.float32, np.float16, np.int32, np.int64
ELEM = {np.dtype(F32): TensorProto.FLOAT, np.dtype(F16): TensorProto.FLOAT16, np.dtype(I32): TensorProto.INT32,
        np.dtype(I64): TensorProto.INT64}


class Case:
    """One model: a single node, its input arrays and its output (name, dtype) pairs."""

    def __init__(self, name, op, inputs, outputs, domain=MS, **attrs):
        self.name = name
        # inputs: list of (name, array) with None for an omitted optional input.
        self.inputs = inputs
        # outputs: list of (name, numpy dtype) with None for an omitted optional output.
        self.outputs = outputs
        self.node = helper.make_node(
            op,
            [n if a is not None else "" for n, a in inputs],
            [o[0] if o is not None else "" for o in outputs],
            domain=domain,
            **attrs,
        )

    def save(self, out_dir):
        d = os.path.join(out_dir, self.name)
        os.makedirs(d, exist_ok=True)
        graph_inputs = []
        for n, a in self.inputs:
            if a is None:
                continue
            graph_inputs.append(helper.make_tensor_value_info(n, ELEM[a.dtype], list(a.shape)))
            np.save(os.path.join(d, n + ".npy"), a)
        graph_outputs = [helper.make_tensor_value_info(o[0], ELEM[np.dtype(o[1])], None)
                         for o in self.outputs if o is not None]
        graph = helper.make_graph([self.node], self.name, graph_inputs, graph_outputs)
        model = helper.make_model(graph, opset_imports=OPSETS, producer_name="wisp-contrib-tests")
        model.ir_version = 8
        save(model, os.path.join(d, "model.onnx"))


def rand(rng, shape, dtype=F32, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(dtype)


# ---------------------------------------------------------------------------------------------
def activation_models(rng):
    cases = []
    for dt, tag in ((F32, "f32"), (F16, "f16")):
        x = rand(rng, (2, 3, 16), dt, 3.0)
        cases.append(Case(f"gelu_{tag}", "Gelu", [("X", x)], [("Y", dt)]))

        x = rand(rng, (2, 5, 24), dt, 3.0)
        cases.append(Case(f"fastgelu_{tag}", "FastGelu", [("X", x)], [("Y", dt)]))
        x = rand(rng, (3, 40), dt, 3.0)
        b = rand(rng, (40,), dt)
        cases.append(Case(f"fastgelu_bias_{tag}", "FastGelu", [("X", x), ("bias", b)], [("Y", dt)]))

        x = rand(rng, (3, 4, 32), dt, 3.0)
        b = rand(rng, (32,), dt)
        cases.append(Case(f"biasgelu_{tag}", "BiasGelu", [("A", x), ("B", b)], [("C", dt)]))

        x = rand(rng, (4, 33), dt, 4.0)
        cases.append(Case(f"quickgelu_{tag}", "QuickGelu", [("X", x)], [("Y", dt)]))
        x = rand(rng, (2, 3, 7), dt, 4.0)
        cases.append(Case(f"quickgelu_alpha_{tag}", "QuickGelu", [("X", x)], [("Y", dt)], alpha=1.0))
    # A long row, to cover vectorised tails and several parallel chunks.
    x = rand(rng, (8, 1031), F32, 5.0)
    b = rand(rng, (1031,), F32)
    cases.append(Case("biasgelu_long_f32", "BiasGelu", [("A", x), ("B", b)], [("C", F32)]))
    return cases


# ---------------------------------------------------------------------------------------------
def normalization_models(rng):
    cases = []
    for dt, tag in ((F32, "f32"), (F16, "f16")):
        h = 32
        x, skip = rand(rng, (2, 4, h), dt, 2.0), rand(rng, (2, 4, h), dt)
        gamma, beta, bias = rand(rng, (h,), dt), rand(rng, (h,), dt), rand(rng, (h,), dt)
        cases.append(Case(
            f"skiplayernorm_full_{tag}", "SkipLayerNormalization",
            [("input", x), ("skip", skip), ("gamma", gamma), ("beta", beta), ("bias", bias)],
            [("output", dt), ("mean", F32) if dt == F32 else None, ("inv_std_var", F32),
             ("input_skip_bias_sum", dt)], epsilon=1e-5))
        # skip of shape (S, H) broadcast over the batch; no beta, no bias.
        x, skip = rand(rng, (3, 5, 48), dt, 2.0) + 1.5, rand(rng, (5, 48), dt)
        gamma = rand(rng, (48,), dt)
        cases.append(Case(
            f"skiplayernorm_skip2d_{tag}", "SkipLayerNormalization",
            [("input", x), ("skip", skip), ("gamma", gamma)], [("output", dt)], epsilon=1e-12))

        x = rand(rng, (2, 3, 64), dt, 2.0)
        scale = rand(rng, (64,), dt)
        cases.append(Case(
            f"simplifiedln_onnxdomain_{tag}", "SimplifiedLayerNormalization", [("X", x), ("scale", scale)],
            [("Y", dt), ("inv_std_var", F32)], domain="", axis=-1, epsilon=1e-6, stash_type=1))

        x, skip = rand(rng, (2, 3, 40), dt, 2.0), rand(rng, (2, 3, 40), dt)
        gamma, bias = rand(rng, (40,), dt), rand(rng, (40,), dt)
        cases.append(Case(
            f"skipsimplifiedln_bias_{tag}", "SkipSimplifiedLayerNormalization",
            [("input", x), ("skip", skip), ("gamma", gamma), ("bias", bias)],
            [("output", dt), ("mean", F32), ("inv_std_var", F32) if dt == F32 else None,
             ("input_skip_bias_sum", dt)], epsilon=1e-6))
    # (onnxruntime registers SimplifiedLayerNormalization only in the onnx domain, so the
    # com.microsoft registration cannot be compared against it.)
    x = rand(rng, (2, 4, 8), F32, 2.0)
    scale = rand(rng, (4, 8), F32)
    cases.append(Case(
        "simplifiedln_axis1_f32", "SimplifiedLayerNormalization", [("X", x), ("scale", scale)],
        [("Y", F32)], domain="", axis=1, epsilon=1e-5))
    x = rand(rng, (6, 1030), F32, 2.0)
    scale = rand(rng, (1030,), F32)
    cases.append(Case(
        "simplifiedln_long_f32", "SimplifiedLayerNormalization", [("X", x), ("scale", scale)],
        [("Y", F32), ("inv_std_var", F32)], domain=""))
    # 2-D (token_count, hidden) input, no bias, only the main output.
    x, skip = rand(rng, (7, 24), F32, 2.0), rand(rng, (7, 24), F32)
    gamma = rand(rng, (24,), F32)
    cases.append(Case(
        "skipsimplifiedln_2d_f32", "SkipSimplifiedLayerNormalization",
        [("input", x), ("skip", skip), ("gamma", gamma)], [("output", F32)], epsilon=1e-5))
    return cases


# ---------------------------------------------------------------------------------------------
def rope_cache(max_seq, half, base=10000.0, dtype=F32):
    inv_freq = 1.0 / (base ** (np.arange(half, dtype=np.float64) / half))
    angles = np.outer(np.arange(max_seq, dtype=np.float64), inv_freq)
    return np.cos(angles).astype(dtype), np.sin(angles).astype(dtype)


def rotary_models(rng):
    cases = []
    for dt, tag in ((F32, "f32"), (F16, "f16")):
        b, s, n, d, max_seq = 2, 5, 4, 16, 24
        cos, sin = rope_cache(max_seq, d // 2, dtype=dt)
        x = rand(rng, (b, s, n * d), dt)
        pos = rng.integers(0, max_seq, size=(b, s)).astype(I64)
        cases.append(Case(f"rotary_3d_{tag}", "RotaryEmbedding",
                          [("input", x), ("position_ids", pos), ("cos_cache", cos), ("sin_cache", sin)],
                          [("output", dt)]))
        # 4-D (B, N, S, D) input, interleaved pairs, one start position for every batch.
        x = rand(rng, (b, n, s, d), dt)
        start = np.array([3], dtype=I64)
        cases.append(Case(f"rotary_4d_interleaved_{tag}", "RotaryEmbedding",
                          [("input", x), ("position_ids", start), ("cos_cache", cos), ("sin_cache", sin)],
                          [("output", dt)], interleaved=1))
    # Partial rotation: only the first rotary_embedding_dim values of each head turn.
    b, s, n, d, rd, max_seq = 2, 3, 3, 16, 8, 12
    cos, sin = rope_cache(max_seq, rd // 2)
    x = rand(rng, (b, s, n * d))
    pos = rng.integers(0, max_seq, size=(b, s)).astype(I64)
    cases.append(Case("rotary_3d_partial_f32", "RotaryEmbedding",
                      [("input", x), ("position_ids", pos), ("cos_cache", cos), ("sin_cache", sin)],
                      [("output", F32)], rotary_embedding_dim=rd, num_heads=n))
    x = rand(rng, (b, n, s, d))
    cases.append(Case("rotary_4d_partial_interleaved_f32", "RotaryEmbedding",
                      [("input", x), ("position_ids", pos), ("cos_cache", cos), ("sin_cache", sin)],
                      [("output", F32)], rotary_embedding_dim=rd, num_heads=n, interleaved=1))
    # 3-D input with num_heads given and a full-size cache.
    cos, sin = rope_cache(max_seq, d // 2)
    x = rand(rng, (1, 4, 2 * d))
    start = np.array([5], dtype=I64)
    cases.append(Case("rotary_3d_numheads_f32", "RotaryEmbedding",
                      [("input", x), ("position_ids", start), ("cos_cache", cos), ("sin_cache", sin)],
                      [("output", F32)], num_heads=2, scale=1.0))
    return cases


# ---------------------------------------------------------------------------------------------
def attention_models(rng):
    """MultiHeadAttention and GroupQueryAttention (Q/K/V layouts, masks, biases, KV caches, rotary)."""
    cases = []

    def i32(*v):
        return np.array(v, dtype=I32)

    # MultiHeadAttention: batch 2, 3 queries, 4 keys, 2 heads of 4.
    B, S, L, N, H = 2, 3, 4, 2, 4
    D = N * H
    out3 = [("output", F32), ("present_key", F32), ("present_value", F32)]

    def mha(name, inputs, outputs=(("output", F32),), **attrs):
        names = ["query", "key", "value", "bias", "key_padding_mask", "attention_bias", "past_key", "past_value"]
        ins = list(zip(names, inputs + [None] * (len(names) - len(inputs))))
        cases.append(Case(name, "MultiHeadAttention", ins, list(outputs), num_heads=N, **attrs))

    q, k, v = rand(rng, (B, S, D)), rand(rng, (B, L, D)), rand(rng, (B, L, D))
    mask2 = i32([1, 1, 1, 0], [1, 0, 1, 1])
    mask3 = (rng.random((B, S, L)) > 0.3).astype(I32)
    mask3[:, :, 0] = 1
    mha("mha_basic_f32", [q, k, v])
    # Value heads of another size (v_hidden 12 -> 6 per head), bias for all three projections.
    mha("mha_bias_vsize_f32", [q, k, rand(rng, (B, L, 12)), rand(rng, (D + D + 12,), scale=0.5)])
    mha("mha_mask_2d_f32", [q, k, v, rand(rng, (3 * D,)), mask2])
    mha("mha_mask_1d_f32", [q, k, v, None, i32(2, 4)])
    mha("mha_mask_3d_f32", [q, k, v, None, mask3])
    mha("mha_attn_bias_f32", [q, k, v, None, None, rand(rng, (1, N, S, L))])
    mha("mha_attn_bias_batch_mask_f32", [q, k, v, None, mask2, rand(rng, (B, 1, S, L))],
        scale=0.3, mask_filter_value=-50.0)
    # Unidirectional with more keys than queries: ORT masks the future keys of all rows but the last.
    mha("mha_causal_present_f32", [q, k, v], out3, unidirectional=1)
    mha("mha_causal_mask_2d_f32", [q, k, v, None, mask2], unidirectional=1)
    mha("mha_causal_mask_3d_f32", [q, k, v, None, mask3], unidirectional=1)
    mha("mha_qk_f32", [q, k, v, None, mask2], [("output", F32), None, None, ("qk", F32)])
    # Causal self-attention over more than one 64-row query block.
    x = rand(rng, (1, 70, D))
    mha("mha_long_causal_f32", [x, rand(rng, (1, 70, D)), rand(rng, (1, 70, D)), None, None,
                                rand(rng, (1, N, 70, 70))], unidirectional=1)
    # Cross attention with key/value already split into heads (B, N, L, H).
    mha("mha_kv_bnsh_f32", [q, rand(rng, (B, N, L, H)), rand(rng, (B, N, L, H))])
    # Decoder self-attention with a KV cache of 5: 3 new tokens (causal), then 1 with a padding mask.
    P = 5
    qs, ks, vs = rand(rng, (B, S, D)), rand(rng, (B, S, D)), rand(rng, (B, S, D))
    pk, pv = rand(rng, (B, N, P, H)), rand(rng, (B, N, P, H))
    mha("mha_past_causal_f32", [qs, ks, vs, rand(rng, (3 * D,)), None, None, pk, pv], out3, unidirectional=1)
    pmask = np.ones((B, P + 1), I32)
    pmask[1, :2] = 0  # left padding in the cache of batch entry 1
    mha("mha_past_mask_f32", [qs[:, :1], ks[:, :1], vs[:, :1], None, pmask, None, pk, pv], out3)
    h = lambda a: a.astype(F16)  # noqa: E731
    mha("mha_past_mask_f16", [h(qs[:, :1]), h(ks[:, :1]), h(vs[:, :1]), h(rand(rng, (3 * D,))), pmask, None, h(pk), h(pv)],
        [("output", F16), ("present_key", F16), ("present_value", F16)])

    # GroupQueryAttention: 4 query heads on 2 KV heads of 16.
    N, KvN, H = 4, 2, 16
    out3 = lambda dt: [("output", dt), ("present_key", dt), ("present_value", dt)]  # noqa: E731

    def gqa(name, inputs, dt=F32, **attrs):
        names = ["query", "key", "value", "past_key", "past_value", "seqlens_k", "total_sequence_length",
                 "cos_cache", "sin_cache", "position_ids", "attention_bias", "head_sink"]
        ins = list(zip(names, inputs + [None] * (len(names) - len(inputs))))
        cases.append(Case(name, "GroupQueryAttention", ins, out3(dt), num_heads=attrs.pop("num_heads", N),
                          kv_num_heads=attrs.pop("kv_num_heads", KvN), **attrs))

    # Prompt: 5 tokens, no cache.
    B, S = 2, 5
    for dt, tag in ((F32, "f32"), (F16, "f16")):
        cos, sin = rope_cache(32, H // 2, dtype=dt)
        q, k, v = rand(rng, (B, S, N * H), dt), rand(rng, (B, S, KvN * H), dt), rand(rng, (B, S, KvN * H), dt)
        prompt = [q, k, v, None, None, i32(S - 1, S - 1), i32(S)]
        gqa(f"gqa_prompt_rotary_{tag}", prompt + [cos, sin], dt, do_rotary=1)
        if dt == F16:
            continue
        gqa("gqa_prompt_f32", prompt)
        gqa("gqa_prompt_rotary_interleaved_f32", prompt + [cos, sin], do_rotary=1, rotary_interleaved=1)
        gqa("gqa_prompt_local_window_f32", prompt, local_window_size=2)
        gqa("gqa_prompt_softcap_scale_f32", prompt, softcap=2.0, scale=0.4)
        gqa("gqa_prompt_smooth_softmax_f32", prompt, smooth_softmax=1)
        gqa("gqa_prompt_head_sink_bias_f32", prompt + [None, None, None, rand(rng, (B, 1, S, S)), rand(rng, (N,))])
        gqa("gqa_prompt_position_ids_f32", prompt + [cos, sin, np.array([[3, 4, 5, 6, 7], [0, 2, 4, 6, 8]], I64)],
            do_rotary=1)
        empty = np.zeros((B, KvN, 0, H), F32)
        gqa("gqa_prompt_empty_past_f32", [q, k, v, empty, empty, i32(S - 1, S - 1), i32(S)])
        gqa("gqa_prompt_packed_rotary_f32", [np.concatenate([q, k, v], axis=2), None, None, None, None,
                                             i32(S - 1, S - 1), i32(S), cos, sin], do_rotary=1)
    # Partial rotary: the first 16 of 32 head dims turn (ORT wants the table width a multiple of 8).
    cos_p, sin_p = rope_cache(32, 8)
    gqa("gqa_prompt_rotary_partial_f32", [rand(rng, (B, S, 64)), rand(rng, (B, S, 32)), rand(rng, (B, S, 32)),
                                          None, None, i32(S - 1, S - 1), i32(S), cos_p, sin_p],
        num_heads=2, kv_num_heads=1, do_rotary=1)

    # Decode: one new token after a ragged cache of 6 rows (entry 0 uses all 6, entry 1 only 3).
    P = 6
    for dt, tag in ((F32, "f32"), (F16, "f16")):
        cos, sin = rope_cache(32, H // 2, dtype=dt)
        q1, k1, v1 = rand(rng, (B, 1, N * H), dt), rand(rng, (B, 1, KvN * H), dt), rand(rng, (B, 1, KvN * H), dt)
        pk, pv = rand(rng, (B, KvN, P, H), dt), rand(rng, (B, KvN, P, H), dt)
        dec = [q1, k1, v1, pk, pv, i32(P, 3), i32(P + 1)]
        gqa(f"gqa_decode_{tag}", dec, dt)
        if dt == F16:
            continue
        gqa("gqa_decode_rotary_f32", dec + [cos, sin], do_rotary=1)
        gqa("gqa_decode_local_window_f32", dec, local_window_size=3)
        gqa("gqa_decode_position_ids_f32", dec + [cos, sin, np.array([[11], [2]], I64)], do_rotary=1)
        # A cache buffer longer than the sequence (10 rows), as with shared KV buffers.
        pk10, pv10 = rand(rng, (B, KvN, 10, H)), rand(rng, (B, KvN, 10, H))
        gqa("gqa_decode_long_buffer_f32", [q1, k1, v1, pk10, pv10, i32(4, 7), i32(8), cos, sin], do_rotary=1)
    # A prompt longer than one 64-row query block, with a sliding window and rotary.
    cos, sin = rope_cache(80, H // 2)
    gqa("gqa_prompt_long_window_f32", [rand(rng, (1, 70, 2 * H)), rand(rng, (1, 70, H)), rand(rng, (1, 70, H)),
                                       None, None, i32(69), i32(70), cos, sin],
        num_heads=2, kv_num_heads=1, do_rotary=1, local_window_size=20)
    # A later chunk of a prompt (batch 1): 3 new tokens after 4 cached ones.
    cos, sin = rope_cache(32, H // 2)
    gqa("gqa_chunked_prompt_rotary_f32", [rand(rng, (1, 3, N * H)), rand(rng, (1, 3, KvN * H)),
                                          rand(rng, (1, 3, KvN * H)), rand(rng, (1, KvN, 4, H)),
                                          rand(rng, (1, KvN, 4, H)), i32(6), i32(7), cos, sin], do_rotary=1)
    return cases


FAMILIES = [activation_models, normalization_models, rotary_models, attention_models]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_contrib_models.py OUT_DIR")
    out_dir = sys.argv[1]
    count = 0
    for family in FAMILIES:
        # Each family gets its own generator, so adding cases to one leaves the others' data alone.
        rng = np.random.default_rng(sum(map(ord, family.__name__)))
        for case in family(rng):
            case.save(out_dir)
            count += 1
    print(f"wrote {count} models to {out_dir}")


if __name__ == "__main__":
    main()
