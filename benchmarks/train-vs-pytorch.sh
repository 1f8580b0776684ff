#!/usr/bin/env bash
# Training step and evaluation, distilj vs PyTorch (transformers' DistilBertForSequenceClassification, eager,
# padded batches as the Trainer's collator makes them), at DistilBERT-base size, on the same rotten_tomatoes
# batches of 64, in one run on this machine. Prints a table of ratios; writes target/bench/train-vs-pytorch.json.
#
#   bash benchmarks/train-vs-pytorch.sh [--steps N] [--warmup N] [--shared DIR]
#
# Needs ../shared (the DistilBERT config and vocabulary) and the pinned Python stack (scripts/python-env.sh, run
# automatically). Heavy: run nothing else meanwhile. Our side runs at 1 and 2 threads (scaling), PyTorch at 2.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
steps=8; warmup=2; shared="$root/../shared"
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps="$2"; shift 2;;
    --warmup) warmup="$2"; shift 2;;
    --shared) shared="$2"; shift 2;;
    *) echo "usage: $0 [--steps N] [--warmup N] [--shared DIR]" >&2; exit 2;;
  esac
done
cfg="$shared/models/distilbert-base-uncased"
[ -f "$cfg/config.json" ] || { echo "train-vs-pytorch: no DistilBERT config at $cfg (pass --shared DIR)" >&2; exit 2; }

out="$root/target/bench"; mkdir -p "$out"
mvn -q -B test-compile
mvn -q -B dependency:build-classpath -Dmdep.outputFile="$out/cp.txt" >/dev/null
cp="$root/target/test-classes:$root/target/classes:$(cat "$out/cp.txt")"
py="${PYTHON:-$(bash scripts/python-env.sh)}"

# The JVM options are the ones the jar's launcher adds by default (cli.Launcher.defaultGc, defaultHugePages).
java_side() { # threads, [extra args]
  local t="$1"; shift
  java --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmn64m -XX:+UseTransparentHugePages -cp "$cp" distilj.bench.TrainStepBench \
    --config "$cfg" --threads "$t" --warmup "$warmup" --steps "$steps" "$@" 2>"$out/distilj-$t.log"
}
echo "distilj, 2 threads ..." >&2
java_side 2 --batches-out "$out/batches.json" > "$out/distilj-2.json"
echo "distilj, 1 thread ..." >&2
java_side 1 --no-eval > "$out/distilj-1.json"
echo "PyTorch, 2 threads ..." >&2
"$py" benchmarks/torch_train_step.py --shared "$shared" --batches "$out/batches.json" --threads 2 \
  --warmup "$warmup" --steps "$steps" 2>"$out/torch-2.log" > "$out/torch-2.json"

# The fp32 peak of 2 threads, measured in this run by the register-only FMA loop (benchmarks/c/fma_peak.c).
gcc -O2 -mavx512f -mfma -pthread benchmarks/c/fma_peak.c -o "$out/fma_peak"
read -r peak _ < <("$out/fma_peak" 2)

"$py" benchmarks/train_report.py --config "$cfg/config.json" --distilj "$out/distilj-2.json" \
  --distilj1 "$out/distilj-1.json" --torch "$out/torch-2.json" --peak-gflops "$peak" \
  --out "$out/train-vs-pytorch.json"
