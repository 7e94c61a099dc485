# Shared by the bin/run-* commands of graceful's benchmarks; sourced, not run.
#
# Every group's command takes the same options, so a reader learns them once:
#   --smoke          the tiniest run that still exercises everything (what `mvn verify` runs);
#                    its numbers mean nothing
#   --no-build       use tools/benchmarks/target/benchmarks.jar as it is (default: build it first)
#   --java PATH      the java executable that runs the benchmarks (default: $JAVA_HOME/bin/java,
#                    else java on the PATH); e.g. /usr/lib/jvm/temurin-25-jdk-amd64/bin/java
#   --out DIR        where results go (default: tools/benchmarks/target/results/<group>-<time>)
#   --rounds N       how many times to repeat the whole group, alternating subjects and baselines
#   -- ARGS          passed on to the tool underneath (JMH for run-micro)

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$BENCH_DIR/../.." && pwd)
BENCH_JAR="$BENCH_DIR/target/benchmarks.jar"

bench_smoke=0
bench_build=1
bench_java=
bench_out=
bench_rounds=
bench_extra=()

bench_usage() {
  # The command's own header comment, then the common options described above.
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  echo
  awk '/^# Every group/ { on = 1 } on && /^#/ { sub(/^# ?/, ""); print; next } on { exit }' "${BASH_SOURCE[0]}"
}

# bench_parse GROUP "$@": reads the common options into bench_* variables.
bench_parse() {
  local group=$1
  shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --smoke) bench_smoke=1 ;;
      --no-build) bench_build=0 ;;
      --java) bench_java=${2:?--java needs the path of a java executable}; shift ;;
      --out) bench_out=${2:?--out needs a directory}; shift ;;
      --rounds)
        bench_rounds=${2:?--rounds needs a number}
        case "$bench_rounds" in
          ''|*[!0-9]*|0) echo "--rounds must be a positive whole number, was '$bench_rounds'" >&2; exit 2 ;;
        esac
        shift ;;
      -h|--help) bench_usage; exit 0 ;;
      --) shift; bench_extra=("$@"); break ;;
      *) echo "unknown option '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
  done
  if [ -z "$bench_java" ]; then
    if [ -n "${JAVA_HOME:-}" ]; then bench_java="$JAVA_HOME/bin/java"; else bench_java=java; fi
  fi
  if ! "$bench_java" -version >/dev/null 2>&1; then
    echo "cannot run java at '$bench_java' (set --java or JAVA_HOME)" >&2
    exit 2
  fi
  if [ -z "$bench_out" ]; then
    bench_out="$BENCH_DIR/target/results/$group-$(date +%Y%m%d-%H%M%S)"
  fi
  mkdir -p "$bench_out"
  bench_out=$(cd "$bench_out" && pwd)
}

# Builds the benchmark jar from the reactor (no install: the local repository is shared).
bench_build_jar() {
  if [ "$bench_build" = 1 ]; then
    echo "building $BENCH_JAR ..."
    (cd "$REPO_DIR" && mvn -B -q -pl tools/benchmarks -am package -DskipTests)
  fi
  if [ ! -f "$BENCH_JAR" ]; then
    echo "no $BENCH_JAR: build it (mvn -pl tools/benchmarks -am package -DskipTests) or drop --no-build" >&2
    exit 2
  fi
}

# bench_exec_without_run OPTION CLASS: when the options after -- hold OPTION (files an earlier run or
# another tool wrote, to be read again), runs CLASS on them at once: nothing is started, so nothing but
# the jar is needed, none of the tools a run needs.
bench_exec_without_run() {
  local option=$1 class=$2 a
  for a in "${bench_extra[@]}"; do
    if [ "$a" = "$option" ]; then
      bench_build_jar
      exec "$bench_java" -cp "$BENCH_JAR" "$class" --repo "$REPO_DIR" --jar "$BENCH_JAR" --java "$bench_java" \
        --out "$bench_out" "${bench_extra[@]}"
    fi
  done
}

# bench_require_open_files N: raises this shell's open-files limit (the benchmark JVM and the servers it
# starts inherit it) to at least N, or stops with what to do.
bench_require_open_files() {
  local needed=$1
  if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$needed" ]; then
    if ! ulimit -n "$needed" 2>/dev/null; then
      echo "$(basename "$0"): needs $needed open files per process, but ulimit -n is $(ulimit -n) and the hard" \
        "limit $(ulimit -Hn): raise the hard limit (as root, or in /etc/security/limits.conf), or ask for less" >&2
      exit 2
    fi
  fi
}

# The 1-, 5- and 15-minute load averages: benchmarks share this machine, so every run records them.
bench_load() {
  cut -d' ' -f1-3 /proc/loadavg
}

# Writes what the doc's "machine" section needs.
bench_machine() {
  local virt=""
  grep -qw hypervisor /proc/cpuinfo && virt="; virtualised: hypervisor flag set"
  echo "- CPU: $(nproc) online core(s), $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
    "(family $(grep -m1 '^cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' '), model $(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')$virt)"
  echo "- memory: $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "- kernel: $(uname -sr)"
  echo "- JVM: $("$bench_java" -version 2>&1 | tail -n 1)"
  echo "- load average at start (1, 5, 15 min): $(bench_load)"
}
