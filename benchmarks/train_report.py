#!/usr/bin/env python3
"""Turns the JSON of both sides of benchmarks/train-vs-pytorch.sh into the table of ratios (stdout) and one JSON."""
import argparse, json, statistics


def useful_flops_per_step(cfg, real_tokens, row_lengths_sq):
    """Forward + backward FLOPs of the encoder on the real (unpadded) tokens: 3 × forward.
    Forward per layer and token: 2·(4·H² + 2·H·F) for the linears; attention 2·2·L·H per token (QKᵀ and PV), i.e.
    4·H·Σ_rows L² per layer. Embeddings, LayerNorm, softmax and the head are left out (a few percent)."""
    H, F, n = cfg["dim"], cfg["hidden_dim"], cfg["n_layers"]
    linear = 2 * (4 * H * H + 2 * H * F) * real_tokens
    attn = 4 * H * row_lengths_sq
    return 3 * n * (linear + attn)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--distilj", required=True)
    ap.add_argument("--distilj1", required=True)
    ap.add_argument("--torch", required=True)
    ap.add_argument("--peak-gflops", type=float, help="fp32 peak of 2 threads, measured in the same run")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    cfg = json.load(open(a.config))
    d2, d1, t2 = (json.load(open(p)) for p in (a.distilj, a.distilj1, a.torch))

    def per_second(side):
        med = side["step_median"]
        rows = statistics.mean(side["rows_per_step"])
        toks = statistics.mean(side["real_tokens"])
        spread = (min(side["step_seconds"]), max(side["step_seconds"]))
        return rows / med, toks / med, med, spread

    s2, tok2, med2, sp2 = per_second(d2)
    s1, _, med1, _ = per_second(d1)
    st, tokt, medt, spt = per_second(t2)
    # Each step's FLOPs over that step's time, summed: the mean tokens over the median step would pair a median time
    # with a mean batch (batches differ by up to 15 % in tokens) and read a few per cent high. Attention FLOPs need
    # each row's length; a step's real tokens and rows approximate its Σ L² well enough for a utilisation figure
    # (attention is < 5% of the step at these lengths).
    mean_tokens = statistics.mean(d2["real_tokens"])
    flops = sum(useful_flops_per_step(cfg, t, n * (t / n) ** 2)
                for t, n in zip(d2["real_tokens"], d2["rows_per_step"]))
    peak = a.peak_gflops
    ours_gflops = flops / sum(d2["step_seconds"]) / 1e9
    r = {
        "threads": 2,
        "train": {"distilj_samples_per_s": s2, "pytorch_samples_per_s": st, "ratio": s2 / st,
                  "distilj_real_tokens_per_s": tok2, "pytorch_real_tokens_per_s": tokt,
                  "distilj_step_median_s": med2, "distilj_step_spread_s": sp2,
                  "pytorch_step_median_s": medt, "pytorch_step_spread_s": spt,
                  "pytorch_padded_tokens_per_step": statistics.mean(t2["padded_tokens"]),
                  "real_tokens_per_step": mean_tokens},
        "scaling_2_over_1_threads": med1 / med2,
        "eval": None,
        "peak_rss_bytes": {"distilj": d2["peak_rss_bytes"], "pytorch": t2["peak_rss_bytes"]},
        "distilj_useful_gflops": ours_gflops,
        "fp32_peak_gflops_2_threads": peak,
        "share_of_peak": ours_gflops / peak if peak else None,
    }
    if "eval_seconds" in d2 and "eval_seconds" in t2:
        de, te = d2["eval_rows"] / d2["eval_seconds"], t2["eval_rows"] / t2["eval_seconds"]
        r["eval"] = {"distilj_rows_per_s": de, "pytorch_rows_per_s": te, "ratio": de / te}
    json.dump(r, open(a.out, "w"), indent=2)

    gb = lambda b: f"{b / 2**30:.2f} GiB"
    print(f"{'DistilBERT-base, batch 64, 2 threads':40} {'distilj':>12} {'PyTorch':>12} {'ratio':>8}")
    print(f"{'train samples/s (median step)':40} {s2:12.2f} {st:12.2f} {s2 / st:7.2f}x")
    print(f"{'train real tokens/s':40} {tok2:12.0f} {tokt:12.0f} {tok2 / tokt:7.2f}x")
    print(f"{'step median [min, max] s':40} {med2:6.2f} [{sp2[0]:.2f},{sp2[1]:.2f}] {medt:6.2f} [{spt[0]:.2f},{spt[1]:.2f}]")
    if r["eval"]:
        e = r["eval"]
        print(f"{'eval rows/s (1,066 test rows)':40} {e['distilj_rows_per_s']:12.1f} {e['pytorch_rows_per_s']:12.1f} {e['ratio']:7.2f}x")
    print(f"{'peak RSS':40} {gb(d2['peak_rss_bytes']):>12} {gb(t2['peak_rss_bytes']):>12} "
          f"{d2['peak_rss_bytes'] / t2['peak_rss_bytes']:7.2f}x")
    print(f"{'distilj 2 threads / 1 thread':40} {med1 / med2:12.2f}x")
    share = f" = {100 * ours_gflops / peak:.0f}% of the measured fp32 peak ({peak:.0f} GFLOPS)" if peak else ""
    print(f"distilj useful GFLOPS (fwd+bwd on real tokens): {ours_gflops:.0f}{share}")


if __name__ == "__main__":
    main()
