"""Combines the measurements of gemm-vs-blas.sh into a table (stdout) and a JSON file.

    python gemm_report.py WORK_DIR OUT_JSON
"""
import json
import os
import platform
import sys

work, out = sys.argv[1], sys.argv[2]
blas = [json.loads(line) for line in open(os.path.join(work, "blas.jsonl")) if line.strip()]
# Peak readings: the FMA loop runs before and after each shape; a row's % of peak uses the higher reading of its shape.
peaks = [r for r in blas if r["lib"] == "peak"]
row_peak = {}
for r in peaks:
    key = (r["threads"], r.get("shape"))
    row_peak[key] = max(row_peak.get(key, 0), r["gflops"])
peak = {}
for r in peaks:
    t = r["threads"]
    lo, hi = peak.get(t, (r["gflops"], r["gflops"]))
    peak[t] = (min(lo, r["gflops"]), max(hi, r["gflops"]))
# openblas: Debian's, AVX-512 kernels; openblas_avx2: the same library with its Haswell (AVX2) kernels.
libs = [l for l in ["openblas", "openblas_avx2", "numpy", "torch"] if any(r["lib"] == l for r in blas)]
SHORT = {"openblas_avx2": "ob_avx2"}  # column headings
# Each side of each row keeps its best reading over the rounds of the run: the best 1-second window, the statistic
# JMH gives for our side. The BLAS drivers also report their fastest single call, kept as <lib>_best_call.
by, by_call = {}, {}
def keep_best(key, gflops, into=by):
    into[key] = max(into.get(key, 0.0), gflops)
for r in blas:
    if r["lib"] != "peak":
        keep_best((r["lib"], r["threads"], r["shape"], r["op"]), r["gflops"])
        if "gflops_best_call" in r:
            keep_best((r["lib"], r["threads"], r["shape"], r["op"]), r["gflops_best_call"], by_call)

jvms = []
for label in ["jdk17", "jdk25"]:
    paths = sorted(os.path.join(work, f) for f in os.listdir(work) if f.startswith(f"jmh-{label}") and f.endswith(".json"))
    if not paths:
        continue
    jvms.append(label)
    for r in (r for path in paths for r in json.load(open(path))):
        p = r["params"]
        m, n, k = map(int, p["shape"].split("x"))
        # The best (fastest) measured iteration, a 1-second window like the BLAS drivers' windows: on a shared machine
        # the mean over iterations mostly measures the other processes.
        ms = min(v for fork in r["primaryMetric"]["rawData"] for v in fork)
        keep_best((label, int(p["threads"]), p["shape"], p["op"]), round(2.0 * m * n * k / (ms * 1e6), 1))

rows = []
keys = sorted({(t, s, o) for (_, t, s, o) in by}, key=lambda x: (x[0], int(x[1].split("x")[0]), x[1], x[2]))
for t, s, o in keys:
    row = {"shape": s, "op": o, "threads": t}
    for lib in jvms + libs:
        row[lib] = by.get((lib, t, s, o))
    best_lib = max((l for l in libs if row[l] is not None), key=lambda l: row[l], default=None)
    row["best_blas"] = best_lib
    for j in jvms:
        if row[j] is not None and best_lib:
            row[f"{j}_vs_best_blas"] = round(row[j] / row[best_lib], 3)
    # For the record, the yardstick of runs before session 7: the fastest single BLAS call (of any library), against
    # which our best window is judged more harshly than like for like.
    calls = {l: by_call[(l, t, s, o)] for l in libs if (l, t, s, o) in by_call}
    for l, v in calls.items():
        row[f"{l}_best_call"] = v
    if calls:
        for j in jvms:
            if row[j] is not None:
                row[f"{j}_vs_best_blas_call"] = round(row[j] / max(calls.values()), 3)
    pk = row_peak.get((t, s)) or row_peak.get((t, None))
    row["peak"] = pk
    for j in jvms:
        if row[j] is not None and pk:
            row[f"{j}_pct_peak"] = round(100 * row[j] / pk, 1)
    if best_lib and pk:
        row["best_blas_pct_peak"] = round(100 * row[best_lib] / pk, 1)
    rows.append(row)

# Per JVM and thread count, over the rows: the range and median of our ratio to the best BLAS, how many rows reach
# 1.00, which library was the best how often, and the % of peak (ours and the best BLAS's).
summary = {}
for j in jvms:
    for t in sorted({r["threads"] for r in rows}):
        rs = [r for r in rows if r["threads"] == t and r.get(f"{j}_vs_best_blas") is not None]
        if not rs:
            continue
        ratios = sorted(r[f"{j}_vs_best_blas"] for r in rs)
        pct = [r[f"{j}_pct_peak"] for r in rs if r.get(f"{j}_pct_peak") is not None]
        best_pct = [r["best_blas_pct_peak"] for r in rs if r.get("best_blas_pct_peak") is not None]
        wins = {}
        for r in rs:
            wins[r["best_blas"]] = wins.get(r["best_blas"], 0) + 1
        mid = len(ratios) // 2
        summary[f"{j}_{t}thr"] = {
            "rows": len(rs), "vs_best_min": ratios[0], "vs_best_max": ratios[-1],
            "vs_best_median": round(ratios[mid] if len(ratios) % 2 else (ratios[mid - 1] + ratios[mid]) / 2, 3),
            "rows_at_least_1": sum(x >= 1.0 for x in ratios), "best_blas_rows": wins,
            "pct_peak_min": min(pct, default=None), "pct_peak_max": max(pct, default=None),
            "best_blas_pct_peak_min": min(best_pct, default=None), "best_blas_pct_peak_max": max(best_pct, default=None)}

load = {n: open(os.path.join(work, f"loadavg-{n}.txt")).read().split()[:3] for n in ["start", "end"]
        if os.path.exists(os.path.join(work, f"loadavg-{n}.txt"))}
doc = {"openblas_coretype": open(os.path.join(work, "openblas-core.txt")).read().strip()
       if os.path.exists(os.path.join(work, "openblas-core.txt")) else None,
       "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?"),
       "cores": os.cpu_count(), "machine": platform.machine(), "loadavg": load,
       "peak_range": {str(t): {"min": lo, "max": hi} for t, (lo, hi) in peak.items()},
       "note": "openblas: Debian's OpenBLAS with its AVX-512 kernels (openblas_coretype); openblas_avx2: the same "
               "library with its Haswell (AVX2) kernels; GFLOPS = 2*M*N*K / time; shape = tokens x out x in; forward Y=X*W^T, dX=dY*W, dW+=dY^T*X; "
               "peak = AVX-512 FMA loop, wall clock, read before and after each shape (a row uses the higher of "
               "its two readings); sides interleaved shape by shape; every side is the mean of its best 1-second window "
               "of back-to-back calls (JMH: fastest measured iteration; BLAS drivers: the same windows after a 1 s "
               "warm-up); <lib>_best_call: that library's fastest single call, and <jdk>_vs_best_blas_call our best "
               "window over the fastest call of any BLAS (the yardstick before session 7)",
       "summary": summary, "rows": rows}
with open(out, "w") as f:
    json.dump(doc, f, indent=1)

head = f"{'shape MxNxK':16} {'op':7} {'thr':>3} " + " ".join(f"{j:>7}" for j in jvms) + " " + \
       " ".join(f"{SHORT.get(l, l):>8}" for l in libs) + " " + " ".join(f"{j + '/best':>11} {j + ' %pk':>10}" for j in jvms) + \
       f" {'jdk17/call':>10}" + "    peak"
print("fp32 peak (FMA loop, wall clock, read around each shape): " +
      ", ".join(f"{t} thread(s) {lo}-{hi} GFLOPS" for t, (lo, hi) in sorted(peak.items())))
print(f"load average at start/end: {load}")
print(head)
print("-" * len(head))
fmt = lambda v: f"{v:8.1f}" if v is not None else f"{'-':>8}"
for r in rows:
    line = f"{r['shape']:16} {r['op']:7} {r['threads']:>3} " + " ".join(f"{r[j] or 0:7.1f}" for j in jvms) + " " + \
           " ".join(fmt(r[l]) for l in libs) + " " + \
           " ".join(f"{r.get(j + '_vs_best_blas', 0):11.2f} {r.get(j + '_pct_peak', 0):9.1f}%" for j in jvms) + \
           f" {r.get('jdk17_vs_best_blas_call', 0):10.2f}" + f" {r['peak'] or 0:7.1f}"
    print(line)
for key, v in summary.items():
    print(f"{key}: {v['vs_best_min']:.2f}-{v['vs_best_max']:.2f}x the best BLAS (median {v['vs_best_median']:.2f}, "
          f"{v['rows_at_least_1']} of {v['rows']} rows >= 1.00), {v['pct_peak_min']}-{v['pct_peak_max']} % of peak; "
          f"best BLAS {v['best_blas_pct_peak_min']}-{v['best_blas_pct_peak_max']} % of peak, best in rows: "
          + ", ".join(f"{k} {n}" for k, n in sorted(v["best_blas_rows"].items())))
print(f"(JSON: {out})")
