#!/usr/bin/env bash
# Builds the benchmarks jar and runs the benchmarks and harnesses, with settings short enough for
# a noisy 2-core machine. Not part of `mvn verify`.
#
#   benchmarks/run.sh [all|pick|rebuild|interceptor|paired|floor|heap|latency|proxy] ...
#   benchmarks/run.sh profile <benchmark regex> [JMH options]   (PROFILE_OUT names the output file)
#
# JMH_OPTS overrides the JMH settings. Defaults: pick and interceptor -f 1 -wi 3 -w 1s -i 10 -r 500ms
# (ten short iterations give a tighter confidence interval than five long ones on a noisy
# machine); rebuild -f 1 -wi 3 -w 500ms -i 5 -r 500ms (its table gives the best of the five
# measured iterations). pick and rebuild run JMH's GC profiler (-prof gc: bytes per operation) and
# the CPU-time profiler; rebuild then measures the heap each balancer retains at N = 10,000.
# Extra key=value arguments after a harness name go to that harness, e.g.
#   benchmarks/run.sh latency algorithms=round-robin seconds=10
# Results (text, and Markdown tables with ratios to the baselines) land in
# benchmarks/target/results/.
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=${JAR:-benchmarks/target/benchmarks.jar}
OUT=benchmarks/target/results
DEFAULT_JMH_OPTS="-f 1 -wi 3 -w 1s -i 10 -r 500ms"
DEFAULT_REBUILD_OPTS="-f 1 -wi 3 -w 500ms -i 5 -r 500ms"

if [ "${SKIP_BUILD:-}" != 1 ]; then
  mvn -q -B -pl benchmarks -am package -DskipTests
fi
mkdir -p "$OUT"

machine() {
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpus: $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "jdk: $(java -version 2>&1 | head -1)"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}

run() {
  local name=$1
  shift
  echo "== $name" >&2
  { machine; echo; "$@"; } 2>&1 | tee "$OUT/$name.txt"
}

what=${1:-all}
[ $# -gt 0 ] && shift
case "$what" in
  pick|interceptor)
    # shellcheck disable=SC2086
    run "$what" java -cp "$JAR" dev.lbkit.benchmarks.JmhReport "$what" ${JMH_OPTS:-$DEFAULT_JMH_OPTS} "$@" ;;
  rebuild)
    # shellcheck disable=SC2086
    run rebuild java -cp "$JAR" dev.lbkit.benchmarks.JmhReport rebuild ${JMH_OPTS:-$DEFAULT_REBUILD_OPTS} "$@"
    SKIP_BUILD=1 "$0" heap servers=10000 ;;
  heap)
    run heap java -XX:+UseSerialGC -Xmx4g -cp "$JAR" dev.lbkit.benchmarks.HeapPerServer "$@" ;;
  paired)
    run paired java -cp "$JAR" dev.lbkit.benchmarks.InterceptorPaired "$@" ;;
  floor)
    # Micrometer's own cost for lb-micrometer's per-call work: the floor under paired's second table.
    # shellcheck disable=SC2086
    run floor java -cp "$JAR" org.openjdk.jmh.Main ObservationFloorBenchmark -prof gc ${JMH_OPTS:-$DEFAULT_JMH_OPTS} "$@" ;;
  latency)
    run latency java -cp "$JAR" dev.lbkit.benchmarks.LatencyScenario "$@" ;;
  proxy)
    command -v nginx >/dev/null || { echo "nginx is missing: apt-get install -y nginx" >&2; exit 1; }
    run proxy java -cp "$JAR" dev.lbkit.benchmarks.ProxyHop "$@" ;;
  profile)
    # JMH's perfasm profiler: where the CPU's time goes, per instruction of the hottest compiled
    # code. Sampled on perf's cpu-clock (this machine's VM has no hardware counters), so a
    # sample lands a few instructions after the one that stalled, usually the next one.
    [ $# -gt 0 ] || { echo "usage: $0 profile <benchmark regex> [JMH options]" >&2; exit 2; }
    command -v perf >/dev/null || { echo "perf is missing: apt-get install -y linux-perf" >&2; exit 1; }
    [ -e /usr/lib/x86_64-linux-gnu/libhsdis.so.0 ] \
      || { echo "the disassembler is missing: apt-get install -y libhsdis0-fcml gcc" >&2; exit 1; }
    java_home=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')
    mkdir -p benchmarks/target/hsdis
    gcc -shared -fPIC -O2 -o benchmarks/target/hsdis/hsdis-amd64.so benchmarks/hsdis/hsdis-shim.c -ldl
    cp benchmarks/target/hsdis/hsdis-amd64.so "$java_home/lib/server/hsdis-amd64.so"
    pattern=$1
    shift
    # shellcheck disable=SC2086
    run "${PROFILE_OUT:-profile}" java -cp "$JAR" org.openjdk.jmh.Main "$pattern" \
        -prof 'perfasm:events=cpu-clock;top=3;hotThreshold=0.05' ${JMH_OPTS:--f 1 -wi 3 -w 1s -i 3 -r 2s} "$@" ;;
  all)
    # rebuild runs heap too.
    for step in pick rebuild interceptor paired floor latency proxy; do
      SKIP_BUILD=1 "$0" "$step"
    done ;;
  *)
    echo "usage: $0 [all|pick|rebuild|interceptor|paired|floor|heap|latency|proxy|profile] [args...]" >&2
    exit 2 ;;
esac
