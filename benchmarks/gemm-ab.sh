#!/usr/bin/env bash
# Is a change to the GEMM faster? Measures SimdGemm at a git revision (A, default HEAD) against the working tree's (B)
# in one JVM, alternating slices (GemmAB), because this VM's speed drifts too much between separate runs to see a few
# per cent; then again in a second JVM with the two classes created in the other order, because in one JVM the
# second of two identical classes ran 7 % faster on 2 threads (an A/A run). Prints both runs and, per case, B/A as the
# geometric mean of the two orders, in which that bias cancels. Both versions read the same -Ddistilj.gemm.*
# properties; to compare blocking sizes, change the constant in the working tree.
#   benchmarks/gemm-ab.sh [REV] [THREADS] [SHAPES] [OPS] [SECONDS_PER_SLICE] [ROUNDS]
#   e.g. benchmarks/gemm-ab.sh HEAD~1 2 1750x768x768,1750x3072x768 forward,dX,dW 0.3 12
set -euo pipefail
cd "$(dirname "$0")/.."
REV=${1:-HEAD}; THREADS=${2:-1}; SHAPES=${3:-1750x768x768,1750x3072x768,1750x768x3072}; OPS=${4:-forward,dX,dW}
SLICE=${5:-0.3}; ROUNDS=${6:-12}
WORK=target/gemm-ab
rm -rf "$WORK" && mkdir -p "$WORK/gen/distilj/kernels" "$WORK/classes"
mvn -q -B -o test-compile 2>/dev/null || mvn -q -B test-compile
src=src/main/java/distilj/kernels/SimdGemm.java
git show "$REV:$src" | sed 's/\bSimdGemm\b/SimdGemmA/g' > "$WORK/gen/distilj/kernels/SimdGemmA.java"
sed 's/\bSimdGemm\b/SimdGemmB/g' "$src" > "$WORK/gen/distilj/kernels/SimdGemmB.java"
javac -nowarn --release 17 --add-modules jdk.incubator.vector -cp target/classes -d "$WORK/classes" \
  "$WORK"/gen/distilj/kernels/*.java 2>&1 | grep -v -E "^warning|incubat|^1 warning" || true
# One benchmark at a time on this machine (the same lock as gemm-vs-blas.sh).
if [ -d /work ] && [ -z "${BENCH_LOCK_HELD:-}" ]; then exec 9>/work/bench.lock; flock 9; fi
echo "A = SimdGemm at $REV ($(git rev-parse --short "$REV")), B = working tree; $THREADS thread(s)" >&2
run() { # $1 $2 = the classes, in the order to create them
  java --add-modules jdk.incubator.vector -XX:+UseTransparentHugePages -XX:+UseParallelGC -Xmn64m \
    -cp "$WORK/classes:target/test-classes:target/classes" distilj.bench.GemmAB \
    "$THREADS" "$SHAPES" "$OPS" "$SLICE" "$ROUNDS" "distilj.kernels.$1" "distilj.kernels.$2" 2>&1 \
    | grep -v "incubator modules" | tee "$WORK/$1-first.txt"
}
run SimdGemmA SimdGemmB
run SimdGemmB SimdGemmA
python3 - "$WORK" <<'PY'
import math, sys
def ratios(path):  # case -> second/first
    out = {}
    for line in open(path):
        if "second/first" in line:
            f = line.split()
            out[(f[0], f[1])] = float(line.split("second/first")[1].split()[0])
    return out
ab, ba = ratios(sys.argv[1] + "/SimdGemmA-first.txt"), ratios(sys.argv[1] + "/SimdGemmB-first.txt")
print("B/A per case, both orders (B second, B first) and their geometric mean:")
for case in ab:
    if case in ba:
        b_second, b_first = ab[case], 1 / ba[case]
        # A class 4x slower than its twin is not a measurement: JDK 17's C2 sometimes compiles the second copy's
        # micro-kernel without its Vector API intrinsics ("missing constant" under -XX:+PrintIntrinsics), ~20x slower.
        bad = [name for name, r in (("B second", b_second), ("B first", b_first)) if not 0.25 < r < 4]
        verdict = f"{math.sqrt(b_second * b_first):.3f}" if not bad else \
            "no verdict: the JIT failed a class in order " + " and ".join(bad) + " (rerun)"
        print(f"{case[0]:14} {case[1]:7} {b_second:.3f} {b_first:.3f}  ->  {verdict}")
PY
