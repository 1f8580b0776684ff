"""Times numpy (its bundled OpenBLAS) and torch on the three GEMMs of a linear layer, like GemmBench.

    python python_gemm.py numpy|torch THREADS SHAPE[,SHAPE...] [seconds]

SHAPE is MxNxK (tokens x out x in). Threads: numpy reads OPENBLAS_NUM_THREADS at import (set by the caller), torch
uses torch.set_num_threads. Prints one JSON line per (shape, op): best GFLOPS over the reps (the first is warm-up).
dW is computed with beta = 1 where the library allows it (torch addmm_); numpy has no beta, so its dW is
dYᵀ·X into a preallocated buffer (beta = 0, slightly less work).
"""
import json
import sys
import time

lib, threads, shapes = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 3.0

import numpy as np

if lib == "torch":
    import torch

    assert torch.__version__.startswith("2.15"), torch.__version__
    torch.set_num_threads(threads)
else:
    assert np.__version__ == "2.4.6", np.__version__


def best_gflops(fn, flop):
    best, reps, start = 0.0, 0, time.perf_counter()
    while reps < 3 or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        fn()
        g = flop / (time.perf_counter() - t0) / 1e9
        if reps > 0:
            best = max(best, g)
        reps += 1
    return best


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
        print(json.dumps({"lib": lib, "threads": threads, "shape": shape, "op": op,
                          "gflops": round(best_gflops(fn, 2.0 * M * N * K), 1)}), flush=True)
