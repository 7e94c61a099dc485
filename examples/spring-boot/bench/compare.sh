#!/usr/bin/env bash
# SIGTERM under load: the spring-boot example with graceful's starter, against the same jar with
# the starter switched off (-Dgraceful.enabled=false), i.e. Spring Boot's own graceful shutdown
# (server.shutdown=graceful, Boot 4's default). Build first: mvn -pl examples/spring-boot -am package -DskipTests
#
#   examples/spring-boot/bench/compare.sh [CLIENTS] [WORK_MS] [WARMUP_MS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run="$here/../../bin/run"
clients="${1:-32}"
work="${2:-200}"
warmup="${3:-5000}"
java_cmd=java
if [ -n "${JAVA_HOME:-}" ]; then java_cmd="$JAVA_HOME/bin/java"; fi

echo "$clients kept-alive clients looping GET /work?ms=$work; SIGTERM after ${warmup}ms; readiness probed on /actuator/health/readiness"
printf '%-22s | %8s | %8s | %9s | %-28s | %10s | %13s | %4s | %s\n' \
  variant completed "failed*" refused "SIGTERM -> readiness not 200" "after TERM" "last ok->exit" exit "failures"
bench() { "$java_cmd" "$here/ShutdownUnderLoad.java" "$run" spring-boot "$@"; }
bench "graceful starter"        "$clients" "$work" "$warmup" /actuator/health/readiness ""
bench "graceful, delay 2s"      "$clients" "$work" "$warmup" /actuator/health/readiness "" --readiness-delay 2s
bench "Boot only (graceful off)" "$clients" "$work" "$warmup" /actuator/health/readiness "-Dgraceful.enabled=false"
echo "* failed = requests sent on an open connection that got a reset, a close before the answer, or a 503"
echo "  refused = new connections refused (listener closed; safe for a proxy to retry elsewhere)"
