#!/usr/bin/env bash
# The "real run" of issue 7, both sides in one go: all-MiniLM-L6-v2 (BertForSequenceClassification) fine-tuned on
# rotten_tomatoes with the seed recipe (lr 2e-5, batch 64, 5 epochs = 670 steps, weight decay 0.01, evaluation on the
# test split after each epoch, seed 42, logging and a checkpoint every 500 steps), once with `distilj train` and once
# with the transformers Trainer on the same CPU. Prints the two epoch tables side by side and the accuracy difference.
#
#   bash scripts/real-run.sh            # both sides
#   SIDES=distilj bash scripts/real-run.sh   # or SIDES=hf: one side only
#   SEED=43 bash scripts/real-run.sh         # another seed (data order, dropout, and distilj's head init): the
#                                            # seed-to-seed spread; results go to *-seed43 files
#   STOP_AFTER_EPOCHS=2 bash scripts/real-run.sh   # a slow machine: the first 2 rows of both tables (the schedule is
#                                                  # still the 5-epoch one; each side is stopped after that evaluation)
#
# Environment: THREADS (default 2: torch threads and distilj --threads), RT_DATA (folder with rt-polarity.pos/.neg
# for the Python side; default ../shared/data/rotten_tomatoes; the jar has the data set built in),
# BENCH_LOCK (a file for flock, so that the runs never overlap with other benchmarks; default /work/bench.lock when
# it exists), PYTHON (default: the .venv made by scripts/python-env.sh).
# Writes runs/minilm-rt/ (distilj's output folder), benchmarks/results/realrun-{hf,distilj}.json and
# benchmarks/results/realrun-distilj-curves.png.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
threads="${THREADS:-2}"
sides="${SIDES:-hf distilj}"
stop="${STOP_AFTER_EPOCHS:-0}"
seed="${SEED:-42}"
sfx=""; if [ "$seed" != 42 ]; then sfx="-seed$seed"; fi
run="runs/minilm-rt$sfx"
data="${RT_DATA:-$root/../shared/data/rotten_tomatoes}"
lock="${BENCH_LOCK:-}"
if [ -z "$lock" ] && [ -e /work/bench.lock ]; then lock=/work/bench.lock; fi
locked() { if [ -n "$lock" ]; then flock "$lock" "$@"; else "$@"; fi; }
now() { date +%s.%N; }

echo "== build"
mvn -B -q -o package -DskipTests 2>/dev/null || mvn -B -q package -DskipTests
echo "== weights"
bash weights/fetch-minilm.sh
mkdir -p benchmarks/results

echo "== machine"
lscpu | head -20 || true
echo "nproc: $(nproc)   load: $(cat /proc/loadavg 2>/dev/null || true)"
java -version 2>&1 | head -3

if [[ " $sides " == *" hf "* ]]; then
  echo "== transformers.Trainer side"
  py="${PYTHON:-$(bash scripts/python-env.sh)}"
  locked "$py" scripts/hf_real_run.py --data "$data" --threads "$threads" --stop-after-epochs "$stop" \
    --seed "$seed" --out "benchmarks/results/realrun-hf$sfx.json"
fi

if [[ " $sides " == *" distilj "* ]]; then
  echo "== distilj side"
  rm -rf "$run"
  t0="$(now)"
  train=(java -jar target/distilj.jar train --model weights/all-MiniLM-L6-v2 --output "$run" --threads "$threads"
         --seed "$seed")
  if [ "$stop" -gt 0 ]; then
    # distilj has no "stop after N epochs" flag (--max-steps would shorten the schedule): SIGTERM after the N-th
    # evaluation lands in metrics.jsonl (appended after every evaluation; the chart is redrawn just after it).
    locked bash -c '
      "${@:3}" & pid=$!
      while kill -0 $pid 2>/dev/null; do
        if [ "$(grep -c eval_accuracy "$2"/metrics.jsonl 2>/dev/null || true)" -ge "$1" ]; then
          sleep 3; echo "stopping distilj after the evaluation of epoch $1"; kill $pid; wait $pid; break
        fi
        sleep 1
      done; true' _ "$stop" "$run" "${train[@]}"
  else
    locked "${train[@]}"
  fi
  t1="$(now)"
  wall="$(python3 -c "print(round($t1 - $t0, 1))")"
  cp "$run/training_curves.png" "benchmarks/results/realrun-distilj-curves$sfx.png"
  python3 scripts/realrun_compare.py --run "$run" --distilj-wall "$wall" --hf "benchmarks/results/realrun-hf$sfx.json" \
    --out "benchmarks/results/realrun-distilj$sfx.json"
fi
