#!/usr/bin/env bash
# Builds the project and runs the JMH benchmarks of benchmarks/src/main/java/distilj/bench.
#   benchmarks/run-jmh.sh [regex] [JMH options...]
# e.g. benchmarks/run-jmh.sh GemmBench -p threads=1 -p op=forward -rf json -rff benchmarks/results/gemm-jmh.json
# JAVA selects the JVM (default: java on PATH), e.g. JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java.
# Runs under flock /work/bench.lock when that lock file's directory exists, so that two benchmarks never overlap.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA:-java}
mvn -q -B -o test-compile 2>/dev/null || mvn -q -B test-compile
mkdir -p target
if [ ! -s target/bench-classpath.txt ] || [ pom.xml -nt target/bench-classpath.txt ]; then
  mvn -q -B -o dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test \
    >/dev/null 2>&1 || mvn -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
    -Dmdep.includeScope=test >/dev/null
fi
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
regex=${1:-.}
shift || true
cmd=("$JAVA" --add-modules jdk.incubator.vector -cp "$CP" org.openjdk.jmh.Main "$regex" -jvm "$JAVA" "$@")
if [ -d /work ] && command -v flock >/dev/null; then
  exec flock /work/bench.lock "${cmd[@]}"
else
  exec "${cmd[@]}"
fi
