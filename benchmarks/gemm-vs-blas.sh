#!/usr/bin/env bash
# Our GEMM against the strongest sgemm on this machine, and against the CPU's fp32 peak, in ONE run:
#   (a) distilj's GemmBench (JMH) on JDK 17 (`java`) and, when present, Temurin 25;
#   (b) Debian's OpenBLAS through a C driver (c/sgemm_openblas.c), with its AVX-512 kernels and again with its AVX2
#       (Haswell) ones, numpy's bundled OpenBLAS and torch.matmul;
#   (c) the fp32 peak from a register-only AVX-512 FMA loop (c/fma_peak.c), per thread count, before and after each
#       shape (the sides are interleaved shape by shape: see below).
# Shapes: tokens 1750 and 3584 × (768→768, 768→3072, 3072→768), ops forward / dX / dW, threads 1 and 2.
# Prints a table and writes benchmarks/results/gemm.json.
#   benchmarks/gemm-vs-blas.sh            (about 42 minutes)
#   QUICK=1 benchmarks/gemm-vs-blas.sh    (tokens 1750 only, shorter runs)
# Env: ONLY_SHAPES (comma-separated MxNxK list), ROUNDS (default 2), PYTHON (default /work/venv/bin/python, else .venv/bin/python), JDK25 (a second JVM to measure).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=target/gemm-vs-blas
RESULTS=benchmarks/results
mkdir -p "$WORK" "$RESULTS"
SHAPES="1750x768x768,1750x3072x768,1750x768x3072,3584x768x768,3584x3072x768,3584x768x3072"
# Every side is measured the same way: JMH's iterations are 1-second windows of calls back to back, and so are the
# BLAS drivers' (WINDOWS of them after a 1-second warm-up); each side keeps the mean of its best window.
WINDOWS=3
JMH_ARGS=(-wi 2 -w 1 -i $WINDOWS -r 1)
if [ "${QUICK:-0}" = 1 ]; then
  SHAPES="1750x768x768,1750x3072x768,1750x768x3072"
  WINDOWS=2
  JMH_ARGS=(-wi 1 -w 1 -i $WINDOWS -r 1)
fi
SHAPES=${ONLY_SHAPES:-$SHAPES}
ROUNDS=${ROUNDS:-2}
THREADS="1 2"
PYTHON=${PYTHON:-/work/venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=.venv/bin/python
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}

# --- tools: OpenBLAS headers/library, the C drivers, the Java build and its classpath
if [ ! -e /usr/include/x86_64-linux-gnu/cblas.h ] && [ ! -e /usr/include/cblas.h ]; then
  echo "installing libopenblas-dev (apt)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas-dev) >&2
fi
gcc -O2 -mavx512f -mfma -pthread benchmarks/c/fma_peak.c -o "$WORK/fma_peak"
gcc -O2 benchmarks/c/sgemm_openblas.c -o "$WORK/sgemm_openblas" -lopenblas
# Debian's OpenBLAS 0.3.21 does not know this CPU model and falls back to its Prescott (SSE3) kernels: 33 GFLOPS a
# core here, against 170 with its SkylakeX (AVX-512) kernels. The yardstick must be the strongest one, so when the
# CPU has AVX-512 and nobody chose a core type, the driver gets the SkylakeX kernels.
# (Only this driver: numpy's newer OpenBLAS recognises the CPU by itself.)
DEBIAN_CORETYPE=${OPENBLAS_CORETYPE:-}
if [ -z "$DEBIAN_CORETYPE" ] && grep -q -w avx512f /proc/cpuinfo; then DEBIAN_CORETYPE=SkylakeX; fi
debian_sgemm() { env ${DEBIAN_CORETYPE:+OPENBLAS_CORETYPE=$DEBIAN_CORETYPE} "$WORK/sgemm_openblas" "$@"; }
debian_row() { # $1 = lib label, $2 = core type (empty: the library's choice), $3 = threads, $4 = shape, $5 = op; a failure stops the script
  local out g call
  out=$(env ${2:+OPENBLAS_CORETYPE=$2} OPENBLAS_NUM_THREADS=$3 "$WORK/sgemm_openblas" ${4//x/ } "$5" "$WINDOWS" 1)
  read -r g call <<< "$out"
  echo "{\"lib\": \"$1\", \"threads\": $3, \"shape\": \"$4\", \"op\": \"$5\", \"gflops\": $g," \
    "\"gflops_best_call\": $call}" >> "$WORK/blas.jsonl"
}
# The same library with its Haswell (AVX2) kernels is a second yardstick: on the Zen 4 machine it beat the AVX-512
# kernels on some rows (512-bit FMAs there run as two 256-bit halves, so AVX2 has the same peak). Measured whenever the
# CPU has AVX2 and nobody chose a core type.
AVX2_CORETYPE=
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -q -w avx2 /proc/cpuinfo; then AVX2_CORETYPE=Haswell; fi
OPENBLAS_VERBOSE=2 OPENBLAS_NUM_THREADS=1 debian_sgemm 64 64 64 forward 0 2>&1 | sed -n 's/^Core: //p' \
  > "$WORK/openblas-core.txt"
echo "Debian OpenBLAS kernels: $(cat "$WORK/openblas-core.txt")" >&2
mvn -q -B -o test-compile 2>/dev/null || mvn -q -B test-compile
mvn -q -B -o dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >/dev/null 2>&1 \
  || mvn -q -B dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >/dev/null
CP="target/test-classes:target/classes:$(cat "$WORK/cp.txt")"

# --- one benchmark at a time on this machine
if [ -d /work ] && [ -z "${BENCH_LOCK_HELD:-}" ]; then
  exec 9>/work/bench.lock
  echo "waiting for /work/bench.lock ..." >&2
  flock 9
fi
cat /proc/loadavg > "$WORK/loadavg-start.txt"
: > "$WORK/blas.jsonl"
rm -f "$WORK"/jmh-*.json

# This VM's clock and its neighbours move a lot (the FMA loop has read anywhere from 69 to 231 GFLOPS per thread on
# the same day), so the sides are interleaved: for each shape, the peak, then every library, then our GEMM, then the
# peak again, all within two minutes; and the whole walk is done ROUNDS times (default 2). Every side of every row
# keeps its best reading over the rounds, and a row's % of peak uses the highest peak reading of its shape (never
# flattering us).
peak() { # $1 = shape tag
  for t in $THREADS; do
    read -r wall cpu < <("$WORK/fma_peak" "$t")
    echo "{\"lib\": \"peak\", \"threads\": $t, \"shape\": \"$1\", \"gflops\": $wall, \"gflops_cpu_time\": $cpu}" \
      >> "$WORK/blas.jsonl"
  done
}
run_jmh() { # $1 = label, $2 = java, $3 = shape, then extra JMH options
  "$2" --add-modules jdk.incubator.vector -cp "$CP" org.openjdk.jmh.Main 'distilj.bench.GemmBench' \
    -jvm "$2" -p shape="$3" -p threads=1,2 "${JMH_ARGS[@]}" "${@:4}" \
    -rf json -rff "$WORK/jmh-$1-$3-r$round.json" >> "$WORK/jmh-$1.log" 2>&1
}
for round in $(seq 1 "$ROUNDS"); do
order=${SHAPES//,/ }
# Odd rounds walk the shapes forwards, even rounds backwards, so no shape always runs at the same point of the run.
if [ $((round % 2)) = 0 ]; then order=$(echo $order | tr ' ' '\n' | tac | tr '\n' ' '); fi
for shape in $order; do
  echo "== round $round/$ROUNDS, $shape: peak, OpenBLAS (Debian, C driver${AVX2_CORETYPE:+, AVX-512 and AVX2 kernels}), numpy, torch, distilj JDK 17${JDK25:+ and 25}, peak" >&2
  peak "$shape"
  for t in $THREADS; do
    for op in forward dX dW; do
      debian_row openblas "$DEBIAN_CORETYPE" "$t" "$shape" "$op"
      if [ -n "$AVX2_CORETYPE" ]; then debian_row openblas_avx2 "$AVX2_CORETYPE" "$t" "$shape" "$op"; fi
    done
  done
  for lib in numpy torch; do
    for t in $THREADS; do
      OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t MKL_NUM_THREADS=$t \
        "$PYTHON" benchmarks/python_gemm.py "$lib" "$t" "$shape" "$WINDOWS" 1 >> "$WORK/blas.jsonl"
    done
  done
  run_jmh jdk17 java "$shape"
  # As the launcher does on JDK 23+: let the GEMM read its buffers' addresses (kernels' CacheLine) without a warning.
  if [ -x "$JDK25" ]; then run_jmh jdk25 "$JDK25" "$shape" -jvmArgsPrepend --sun-misc-unsafe-memory-access=allow; fi
  peak "$shape"
done
done
cat /proc/loadavg > "$WORK/loadavg-end.txt"

"$PYTHON" benchmarks/gemm_report.py "$WORK" "$RESULTS/gemm.json"
