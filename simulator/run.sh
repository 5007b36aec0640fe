#!/usr/bin/env bash
# Builds the simulator jar and runs scenario files, writing one HTML report per scenario into
# simulator/target/reports (or --out DIR). Not part of `mvn verify`.
#
#   simulator/run.sh simulator/scenarios/one-slow-server.yaml
#   simulator/run.sh --requests 100000 simulator/scenarios/*.yaml     # every scenario, smaller
#   simulator/run.sh --threads 2 simulator/scenarios/herding.yaml     # variants on two threads
#
# SKIP_BUILD=1 reuses the jar; JAVA_OPTS passes JVM options (default -Xmx4g).
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=simulator/target/simulator.jar
if [ "${SKIP_BUILD:-}" != 1 ]; then
  mvn -q -B -pl simulator -am package -DskipTests
fi
exec java ${JAVA_OPTS:--Xmx4g} -jar "$JAR" "$@"
