"""Times numpy (its bundled OpenBLAS) and torch on the three GEMMs of a linear layer, like GemmBench.

    python python_gemm.py numpy|torch THREADS SHAPE[,SHAPE...] [windows] [warmup_seconds]

SHAPE is MxNxK (tokens x out x in). Threads: numpy reads OPENBLAS_NUM_THREADS at import (set by the caller), torch
uses torch.set_num_threads. Measured the way JMH measures our side (GemmBench, -w 1 -r 1): calls back to back, first
for warmup_seconds (default 1) not counted, then `windows` windows (default 3) of at least 1 s each. Prints one JSON
line per (shape, op): "gflops", the best window (its calls' FLOPs over its time: what gemm-vs-blas.sh compares with
JMH's best iteration), and "gflops_best_call", the fastest single call (for the record: the minimum of a few hundred
calls sits below any window's mean).
dW is computed with beta = 1 where the library allows it (torch addmm_); numpy has no beta, so its dW is
dYᵀ·X into a preallocated buffer (beta = 0, slightly less work).
"""
import json
import sys
import time

lib, threads, shapes = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
windows = int(sys.argv[4]) if len(sys.argv) > 4 else 3
warmup = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0

import numpy as np

if lib == "torch":
    import torch

    assert torch.__version__.startswith("2.15"), torch.__version__
    torch.set_num_threads(threads)
else:
    assert np.__version__ == "2.4.6", np.__version__


def measure(fn, flop):
    """(best window GFLOPS, fastest call GFLOPS), after the warm-up."""
    best_window = best_call = 0.0
    for win in range(-1, windows):  # window -1: the warm-up
        t_win, span, calls = time.perf_counter(), warmup if win < 0 else 1.0, 0
        while True:
            t0 = time.perf_counter()
            fn()
            t1 = time.perf_counter()
            calls += 1
            if win >= 0:
                best_call = max(best_call, flop / (t1 - t0) / 1e9)
            if t1 - t_win >= span:
                break
        if win >= 0:
            best_window = max(best_window, flop * calls / (time.perf_counter() - t_win) / 1e9)
    return best_window, best_call


rng = np.random.default_rng(1)
for shape in shapes:
    M, N, K = map(int, shape.split("x"))
    x = rng.uniform(-1, 1, (M, K)).astype(np.float32)
    w = rng.uniform(-1, 1, (N, K)).astype(np.float32)
    dy = rng.uniform(-1, 1, (M, N)).astype(np.float32)
    y = np.empty((M, N), np.float32)
    dx = np.empty((M, K), np.float32)
    dw = np.zeros((N, K), np.float32)
    if lib == "torch":
        x, w, dy, y, dx, dw = (torch.from_numpy(a) for a in (x, w, dy, y, dx, dw))
        ops = {
            "forward": lambda: torch.matmul(x, w.t(), out=y),
            "dX": lambda: torch.matmul(dy, w, out=dx),
            "dW": lambda: dw.addmm_(dy.t(), x),
        }
    else:
        ops = {
            "forward": lambda: np.matmul(x, w.T, out=y),
            "dX": lambda: np.matmul(dy, w, out=dx),
            "dW": lambda: np.matmul(dy.T, x, out=dw),
        }
    for op, fn in ops.items():
        window, call = measure(fn, 2.0 * M * N * K)
        print(json.dumps({"lib": lib, "threads": threads, "shape": shape, "op": op,
                          "gflops": round(window, 1), "gflops_best_call": round(call, 1)}), flush=True)
