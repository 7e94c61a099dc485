#!/usr/bin/env bash
# deploy.sh: zero-downtime deploys of an HTTP service behind nginx. Run with --help.
#
# The rule it enforces: never stop an old instance before the new one is proven healthy AND
# nginx has stopped sending it traffic. Step by step: start the new release on a spare port,
# gate on its health endpoint, point nginx's upstream at it (nginx -t first), reload nginx, wait
# until nginx's old worker processes have exited (so no connection to the old instance remains),
# then SIGTERM the old instance and wait for it to drain and exit.
# With --lb haproxy the load balancer decides by its own health checks instead (see --help).
set -euo pipefail

PROG=deploy.sh

usage() {
  cat <<'EOF'
usage: deploy.sh [options] COMMAND [ARG]

Zero-downtime deploys of an HTTP service behind nginx: each release in its own timestamped
directory, a `current` symlink swapped atomically, new instances started on spare ports and gated
on their health endpoint, nginx switched by `nginx -t` + reload, old instances stopped only after
nginx's old workers are gone, then drained with SIGTERM.

Commands:
  deploy SRC       Copy SRC (a directory holding an executable bin/start) to releases/<timestamp>/
                   and switch to it. With --instances 1 (blue-green) the new instance starts on
                   the spare port and takes over all traffic at once; with --instances N >= 2
                   (rolling) the N instances are replaced one at a time, each on a spare port.
                   If an instance never becomes healthy, or nginx rejects the change, the deploy
                   aborts: instances already replaced are rolled back, the old version keeps
                   serving, the new release directory is removed.
  rollback         Switch back to the release before `current` (the newest older one still on
                   disk), by the same procedure. Run it again to go back further.
  status           Show releases, instances (port, pid, release, health) and nginx's upstream.
  shutdown         Stop nginx (only if --start-nginx: `nginx -s quit`), then every instance
                   (SIGTERM, drained). Without --start-nginx, nginx is left running and only
                   instances nginx does not route to are stopped.
  naive-restart SRC
                   (nginx only) The baseline this script exists to avoid (for the demo and tests): kill the
                   running instance at once (SIGKILL) and start SRC on the same port. Requests
                   fail while it restarts. Never use it in production.

A release's bin/start is run as `bin/start --port PORT` from the release directory; it must run
the service in the foreground on PORT (exec'ing the server, so it receives the signals), answer
GET <health-path> with 2xx once ready, and on SIGTERM drain in-flight requests and exit.

With --lb haproxy (a health-checked load balancer: HAProxy, and the way Kubernetes, Nomad and
Consul-driven proxies behave) nothing is ever reloaded: HAProxy lists every instance port
(--ports, the first --instances of them; server names p<PORT>) and takes an instance out by its
own health checks (`option httpchk GET /healthz`, see haproxy/haproxy.cfg). A deploy replaces
the instances one at a time, in place: SIGTERM the old one (its /healthz fails at once; HAProxy
marks it DOWN after `fall` checks; graceful's readiness delay, best with --readiness-probes
equal to `fall`, covers that), wait for its exit, start the new release on the same port, and
wait until HAProxy reports it UP on its stats socket: that is the health gate (deploy.sh does
not probe /healthz itself, so that it never counts as one more prober of an instance). A new
instance that exits or is not UP within --health-timeout aborts the deploy: that port and the
ports already replaced go back to their previous release, the same way.

Options (also readable from --config FILE: one `name=value` per line, names as below without the
leading dashes, `#` comments; options are applied in order, so later ones win):
  --root DIR               where releases/, current, run/ (pid files) and logs/ live (required)
  --ports LIST             ports instances may use, comma-separated; at least instances+1
                           (default 8081,8082)
  --instances N            instances serving at once: 1 = blue-green (default), N >= 2 = rolling
  --host ADDR              address instances listen on, health checks and nginx connect to
                           (default 127.0.0.1)
  --health-path PATH       readiness endpoint gating every switch (default /healthz)
  --health-timeout D       how long a new instance may take to answer it with 2xx (default 60s)
  --stop-timeout D         how long an old instance may take to exit after SIGTERM before it is
                           killed; set it to the app's readiness delay + drain timeout + close
                           and task timeouts + a margin (default 45s)
  --upstream-file FILE     the file this script owns and nginx includes inside the upstream
                           block: one `server HOST:PORT;` line per live instance
                           (default ROOT/nginx/upstream.conf)
  --nginx-bin PATH         nginx binary (default nginx)
  --nginx-conf FILE        nginx main configuration, passed as -c (default: nginx's built-in)
  --nginx-prefix DIR       nginx prefix, passed as -p (default: nginx's built-in)
  --nginx-error-log FILE   early error log, passed as -e (nginx >= 1.19.5; default: built-in)
  --nginx-pid FILE         nginx's pid file, as set by its `pid` directive (default /run/nginx.pid)
  --nginx-drain-timeout D  how long to wait after a reload for nginx's old worker processes to
                           finish their requests and exit; keep it above nginx's
                           worker_shutdown_timeout (default 60s)
  --start-nginx            start nginx if it is not running (standalone setups such as the demo);
                           without it a stopped nginx is an error
  --lb nginx|haproxy       the load balancer (default nginx)
  --haproxy-stats ADDR     HAProxy's stats socket as HOST:PORT (`stats socket ipv4@HOST:PORT`);
                           required with --lb haproxy
  --haproxy-backend NAME   the backend listing the instances (default app)
  --keep N                 releases kept on disk, current included (default 5; minimum 2)
  --config FILE            read options from FILE at this point
  -h, --help               this text

Durations: a whole number with ms, s or m (1500ms, 2s, 1m).

Exit status: 0 done; 1 failed or aborted (see the message: on abort nothing changed and the old
version is still serving); 2 bad usage; 3 switched, but an old instance did not stop cleanly
(its exit status was not 0, or it had to be killed after --stop-timeout).

Files under ROOT: releases/<timestamp>/ (one per release), current -> releases/<timestamp>,
run/PORT.pid ("pid starttime" of the instance on PORT), run/PORT.release -> its release,
run/PORT.exit (its exit status once it ended), logs/app-PORT.log (its output),
.deploy.lock (one deploy at a time).
EOF
}

# ---------------------------------------------------------------------------------------------
# Options

root=""
ports_csv="8081,8082"
instances=1
host="127.0.0.1"
health_path="/healthz"
health_timeout="60s"
stop_timeout="45s"
upstream_file=""
nginx_bin="nginx"
nginx_conf=""
nginx_prefix=""
nginx_error_log=""
nginx_pid="/run/nginx.pid"
nginx_drain_timeout="60s"
start_nginx=0
keep=5
lb=nginx
haproxy_stats=""
haproxy_backend=app

die_usage() {
  printf '%s: %s\n' "$PROG" "$*" >&2
  printf "Run '%s --help' for the options.\n" "$PROG" >&2
  exit 2
}

# set_option NAME VALUE: NAME without dashes. Returns 1 for an option that takes no value.
set_option() {
  local name=$1 value=${2-}
  case "$name" in
    root) root=$value ;;
    ports) ports_csv=$value ;;
    instances) instances=$value ;;
    host) host=$value ;;
    health-path) health_path=$value ;;
    health-timeout) health_timeout=$value ;;
    stop-timeout) stop_timeout=$value ;;
    upstream-file) upstream_file=$value ;;
    nginx-bin) nginx_bin=$value ;;
    nginx-conf) nginx_conf=$value ;;
    nginx-prefix) nginx_prefix=$value ;;
    nginx-error-log) nginx_error_log=$value ;;
    nginx-pid) nginx_pid=$value ;;
    nginx-drain-timeout) nginx_drain_timeout=$value ;;
    start-nginx)
      case "$value" in
        ""|true|yes|1) start_nginx=1 ;;
        false|no|0) start_nginx=0 ;;
        *) die_usage "start-nginx must be true or false, was '$value'" ;;
      esac ;;
    keep) keep=$value ;;
    lb) lb=$value ;;
    haproxy-stats) haproxy_stats=$value ;;
    haproxy-backend) haproxy_backend=$value ;;
    config) read_config "$value" ;;
    *) die_usage "unknown option --$name" ;;
  esac
}

read_config() {
  local file=$1 line name value n=0
  [ -r "$file" ] || die_usage "cannot read config file '$file'"
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line%%#*}
    line=$(printf '%s' "$line" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')
    [ -z "$line" ] && continue
    case "$line" in
      *=*) name=${line%%=*}; value=${line#*=} ;;
      *) name=$line; value="" ;;
    esac
    name=$(printf '%s' "$name" | sed -e 's/[[:space:]]*$//')
    value=$(printf '%s' "$value" | sed -e 's/^[[:space:]]*//')
    [ "$name" = config ] && die_usage "$file:$n: config files cannot include other config files"
    set_option "$name" "$value"
  done < "$file"
}

command=""
command_arg=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --start-nginx) set_option start-nginx ""; shift ;;
    --*=*) opt=${1%%=*}; set_option "${opt#--}" "${1#*=}"; shift ;;
    --*)
      [ $# -ge 2 ] || die_usage "$1 needs a value"
      set_option "${1#--}" "$2"; shift 2 ;;
    -*) die_usage "unknown option $1" ;;
    *)
      if [ -z "$command" ]; then command=$1
      elif [ -z "$command_arg" ]; then command_arg=$1
      else die_usage "unexpected argument '$1'"
      fi
      shift ;;
  esac
done

# duration_ms NAME VALUE: prints milliseconds, or fails with a message naming the option.
duration_ms() {
  local name=$1 value=$2
  if [[ $value =~ ^([0-9]{1,9})(ms|s|m)$ ]]; then
    case "${BASH_REMATCH[2]}" in
      ms) echo $((10#${BASH_REMATCH[1]})) ;;
      s) echo $((10#${BASH_REMATCH[1]} * 1000)) ;;
      m) echo $((10#${BASH_REMATCH[1]} * 60000)) ;;
    esac
  else
    die_usage "--$name must be a duration like 1500ms, 2s or 1m, was '$value'"
  fi
}

[ -n "$command" ] || die_usage "no command given (deploy SRC, rollback, status, shutdown or naive-restart SRC)"
case "$command" in
  deploy|naive-restart) [ -n "$command_arg" ] || die_usage "$command needs the release source directory (SRC)" ;;
  rollback|status|shutdown) [ -z "$command_arg" ] || die_usage "$command takes no argument, got '$command_arg'" ;;
  *) die_usage "unknown command '$command' (deploy, rollback, status, shutdown, naive-restart)" ;;
esac
[ -n "$root" ] || die_usage "--root is required (the directory holding releases/ and current)"
[[ $instances =~ ^[1-9][0-9]{0,2}$ ]] || die_usage "--instances must be a whole number from 1, was '$instances'"
if ! [[ $keep =~ ^[0-9]{1,4}$ ]] || [ "$keep" -lt 2 ]; then
  die_usage "--keep must be a whole number of at least 2, was '$keep'"
fi
[[ $health_path == /* ]] || die_usage "--health-path must start with /, was '$health_path'"
health_timeout_ms=$(duration_ms health-timeout "$health_timeout")
stop_timeout_ms=$(duration_ms stop-timeout "$stop_timeout")
nginx_drain_timeout_ms=$(duration_ms nginx-drain-timeout "$nginx_drain_timeout")
IFS=',' read -r -a pool <<< "$ports_csv"
[ ${#pool[@]} -gt 0 ] || die_usage "--ports must list at least $((instances + 1)) ports, was '$ports_csv'"
declare -A seen_port=()
for p in "${pool[@]}"; do
  if ! [[ $p =~ ^[0-9]{1,5}$ ]] || [ "$p" -lt 1 ] || [ "$p" -gt 65535 ]; then
    die_usage "--ports must be comma-separated ports (1-65535), found '$p' in '$ports_csv'"
  fi
  [ -z "${seen_port[$p]-}" ] || die_usage "--ports lists $p twice: '$ports_csv'"
  seen_port[$p]=1
done
case "$lb" in
  nginx) ;;
  haproxy)
    [[ $haproxy_stats =~ ^[^:]+:[0-9]{1,5}$ ]] \
      || die_usage "--lb haproxy needs --haproxy-stats HOST:PORT (its stats socket), was '$haproxy_stats'"
    [ "$command" != naive-restart ] || die_usage "naive-restart is for --lb nginx only"
    [ ${#pool[@]} -ge "$instances" ] \
      || die_usage "--ports must list at least --instances = $instances ports with --lb haproxy, was '$ports_csv'"
    ;;
  *) die_usage "--lb must be nginx or haproxy, was '$lb'" ;;
esac
if [ "$lb" = nginx ] && [ "$command" != naive-restart ] && [ ${#pool[@]} -lt $((instances + 1)) ]; then
  die_usage "--ports must list at least instances+1 = $((instances + 1)) ports (one spare), was '$ports_csv'"
fi

mkdir -p "$root"
root=$(cd "$root" && pwd -P)
releases="$root/releases"
run="$root/run"
logs="$root/logs"
[ -n "$upstream_file" ] || upstream_file="$root/nginx/upstream.conf"
mkdir -p "$releases" "$run" "$logs" "$(dirname "$upstream_file")"

nginx_cmd=("$nginx_bin")
[ -z "$nginx_prefix" ] || nginx_cmd+=(-p "$nginx_prefix")
[ -z "$nginx_conf" ] || nginx_cmd+=(-c "$nginx_conf")
[ -z "$nginx_error_log" ] || nginx_cmd+=(-e "$nginx_error_log")

# ---------------------------------------------------------------------------------------------
# Output and time

say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }
warn() { printf '%s WARNING: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() { printf '%s ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

now_ms() {
  local t=${EPOCHREALTIME-}
  if [ -n "$t" ]; then
    t=${t/[.,]/}
    echo $((10#$t / 1000))
  else
    date +%s%3N
  fi
}

secs() { # milliseconds -> "1.234s"
  printf '%d.%03ds' $(($1 / 1000)) $(($1 % 1000))
}

need() {
  command -v "$1" >/dev/null 2>&1 || { fail "$1 is needed but not installed ($2)"; exit 1; }
}

# ---------------------------------------------------------------------------------------------
# Processes. A pid file holds "pid starttime" so that a pid reused by another process after a
# reboot is never mistaken for our instance (and never signalled).

proc_start() { # pid -> start time in clock ticks since boot, or nothing
  local stat
  { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  echo "${20}"
}

# instance_pid PORT: prints the pid of the live instance on PORT, or fails.
instance_pid() {
  local file="$run/$1.pid" pid start now
  [ -r "$file" ] || return 1
  read -r pid start < "$file" || return 1
  [ -n "$pid" ] || return 1
  now=$(proc_start "$pid") || return 1
  [ "$now" = "$start" ] && alive_pid "$pid" || return 1
  echo "$pid"
}

# alive_pid PID: the process exists and is not a zombie (an exited nginx master lingers as one
# until its parent, often a container's init, reaps it).
alive_pid() {
  local stat
  { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

port_open() { # something accepts connections on HOST:PORT
  (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null
}

healthy() { # PORT
  curl --noproxy '*' -fsS -o /dev/null --connect-timeout 1 --max-time 2 "http://$host:$1$health_path" 2>/dev/null
}

release_name() { # PORT -> name of the release the instance on PORT runs
  local link="$run/$1.release"
  [ -L "$link" ] && basename "$(readlink "$link")"
}

version_of() { # release dir -> version label
  if [ -r "$1/VERSION" ]; then head -n1 "$1/VERSION"; else basename "$1"; fi
}

# start_instance PORT RELEASE_DIR: starts RELEASE_DIR/bin/start --port PORT in its own session
# (it must outlive this script and never get this terminal's Ctrl-C), logging to logs/app-PORT.log.
# A small wrapper records "pid starttime" and, when it ends, the exit status.
start_instance() {
  local port=$1 release=$2 log="$logs/app-$1.log" i
  rm -f "$run/$port.pid" "$run/$port.exit"
  ln -sfn "../releases/$(basename "$release")" "$run/$port.release"
  printf '\n=== %s: starting %s (%s) on port %s\n' "$(date '+%F %T')" "$(basename "$release")" \
    "$(version_of "$release")" "$port" >> "$log"
  # set -m: the instance gets its own process group with default SIGINT/SIGQUIT dispositions
  # (a non-interactive shell would start a background job with them ignored).
  # 9>&-: the instance must not inherit (and hold forever) the deploy lock.
  # shellcheck disable=SC2016 # expanded by the inner shell
  setsid bash -c '
    set -m
    release=$1 port=$2 log=$3 pidfile=$4 exitfile=$5
    cd "$release"
    ./bin/start --port "$port" >> "$log" 2>&1 < /dev/null &
    pid=$!
    read -r stat < "/proc/$pid/stat"; stat=${stat##*) }; set -- $stat
    echo "$pid ${20}" > "$pidfile.tmp" && mv -f "$pidfile.tmp" "$pidfile"
    wait "$pid"; status=$?
    echo "$status" > "$exitfile.tmp" && mv -f "$exitfile.tmp" "$exitfile"
  ' deploy-instance "$release" "$port" "$log" "$run/$port.pid" "$run/$port.exit" \
    > /dev/null 2>&1 < /dev/null 9>&- &
  for i in $(seq 1 100); do
    [ -s "$run/$port.pid" ] && return 0
    sleep 0.05
  done
  fail "instance on port $port did not start (no pid file after 5s); see $log"
  return 1
}

# stop_instance PORT: SIGTERM, then wait (bounded by --stop-timeout) for the exit. Prints a line
# with the outcome; returns 0 for a clean exit (status 0), 3 otherwise.
stop_instance() {
  local port=$1 pid t0 status="" i
  pid=$(instance_pid "$port") || { say "  no instance running on port $port"; return 0; }
  t0=$(now_ms)
  kill -TERM "$pid" 2>/dev/null || true
  while alive_pid "$pid"; do
    if [ $(($(now_ms) - t0)) -ge "$stop_timeout_ms" ]; then
      warn "instance on port $port (pid $pid) still running $(secs "$stop_timeout_ms") after SIGTERM (--stop-timeout): killing it; requests it still had are lost"
      kill -KILL "$pid" 2>/dev/null || true
      for i in $(seq 1 100); do alive_pid "$pid" || break; sleep 0.05; done
      rm -f "$run/$port.pid"
      return 3
    fi
    sleep 0.05
  done
  for i in $(seq 1 40); do [ -s "$run/$port.exit" ] && break; sleep 0.05; done
  status=$(cat "$run/$port.exit" 2>/dev/null || echo "?")
  rm -f "$run/$port.pid"
  case "$status" in
    0) say "  instance on port $port exited 0 (drained cleanly) $(secs $(($(now_ms) - t0))) after SIGTERM"; return 0 ;;
    3) warn "instance on port $port exited 3: its drain timed out and abandoned in-flight work (see logs/app-$port.log)" ;;
    4) warn "instance on port $port exited 4: a shutdown task failed or timed out (see logs/app-$port.log)" ;;
    124) warn "instance on port $port exited 124: its watchdog halted an overrunning shutdown" ;;
    *) warn "instance on port $port exited with status $status (see logs/app-$port.log)" ;;
  esac
  return 3
}

# kill_instance PORT: SIGKILL at once (aborting a new instance that never served, or the naive baseline).
kill_instance() {
  local port=$1 pid i
  pid=$(instance_pid "$port") || return 0
  kill -KILL "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do alive_pid "$pid" || break; sleep 0.05; done
  rm -f "$run/$port.pid"
}

# stop_unrouted PORT: an instance nginx never routed to (a new one that failed its gate): SIGTERM
# with a short bound, since it has nothing to drain.
stop_unrouted() {
  local port=$1 pid t0
  pid=$(instance_pid "$port") || return 0
  t0=$(now_ms)
  kill -TERM "$pid" 2>/dev/null || true
  while alive_pid "$pid"; do
    if [ $(($(now_ms) - t0)) -ge 10000 ]; then kill_instance "$port"; return 0; fi
    sleep 0.05
  done
  rm -f "$run/$port.pid"
}

# gate PORT: waits (bounded by --health-timeout) until the instance on PORT answers the health
# path with 2xx or, with --lb haproxy, until HAProxy reports it UP (its own checks passed `rise`
# times; deploy.sh does not probe, so it never counts as one more prober of the instance). Fails
# at once if the instance exits.
gate() {
  local port=$1 t0 pid state=""
  t0=$(now_ms)
  while :; do
    if ! pid=$(instance_pid "$port"); then
      local status
      status=$(cat "$run/$port.exit" 2>/dev/null || echo "?")
      fail "the new instance on port $port exited (status $status) before becoming healthy; last lines of logs/app-$port.log:"
      tail -n 15 "$logs/app-$port.log" | sed 's/^/    /' >&2
      return 1
    fi
    if [ "$lb" = haproxy ]; then
      state=$(haproxy_status "$port") || state="unknown (no server p$port in backend $haproxy_backend?)"
      if [ "$state" = UP ]; then
        say "  HAProxy reports port $port UP after $(secs $(($(now_ms) - t0)))"
        return 0
      fi
    elif healthy "$port"; then
      say "  port $port healthy after $(secs $(($(now_ms) - t0)))"
      return 0
    fi
    if [ $(($(now_ms) - t0)) -ge "$health_timeout_ms" ]; then
      if [ "$lb" = haproxy ]; then
        fail "HAProxy did not report port $port UP within $health_timeout (--health-timeout; last state: $state); last lines of logs/app-$port.log:"
      else
        fail "the new instance on port $port did not answer $health_path with 2xx within $health_timeout (--health-timeout); last lines of logs/app-$port.log:"
      fi
      tail -n 15 "$logs/app-$port.log" | sed 's/^/    /' >&2
      return 1
    fi
    sleep 0.1
  done
}

# ---------------------------------------------------------------------------------------------
# nginx

nginx_master() { # prints the master pid of a running nginx, or fails
  local pid
  [ -r "$nginx_pid" ] || return 1
  read -r pid < "$nginx_pid" || return 1
  [[ $pid =~ ^[0-9]+$ ]] && alive_pid "$pid" || return 1
  echo "$pid"
}

nginx_children() { # master pid -> its child pids (workers, cache processes), one per line
  local master=$1 f stat
  for f in /proc/[0-9]*/stat; do
    { read -r stat < "$f"; } 2>/dev/null || continue
    stat=${stat##*) }        # drop "pid (comm) ": the command name may contain spaces
    # shellcheck disable=SC2086
    set -- $stat             # $1 state, $2 parent pid
    if [ "$2" = "$master" ]; then
      f=${f#/proc/}
      echo "${f%/stat}"
    fi
  done
}

live_ports() { # the ports nginx routes to, in order, from the upstream file
  [ "$lb" = nginx ] || return 0 # HAProxy routes by its health checks: nothing is pinned live
  [ -r "$upstream_file" ] || return 0
  sed -n -e "s/^[[:space:]]*server[[:space:]]\{1,\}[^[:space:]]*:\([0-9]\{1,5\}\)[[:space:];].*/\1/p" "$upstream_file"
}

write_upstream() { # ports... -> writes the upstream file atomically, keeping the old one as .prev
  local tmp="$upstream_file.new" p
  {
    echo "# Written by deploy.sh at $(date '+%F %T'): the live instances. Do not edit by hand."
    for p in "$@"; do echo "server $host:$p;"; done
  } > "$tmp"
  if [ -e "$upstream_file" ]; then cp -p "$upstream_file" "$upstream_file.prev"; else rm -f "$upstream_file.prev"; fi
  mv -f "$tmp" "$upstream_file"
}

restore_upstream() {
  if [ -e "$upstream_file.prev" ]; then mv -f "$upstream_file.prev" "$upstream_file"; else rm -f "$upstream_file"; fi
}

nginx_test() {
  local out
  if ! out=$("${nginx_cmd[@]}" -t 2>&1); then
    fail "nginx -t rejected the configuration:"
    printf '%s\n' "$out" | sed 's/^/    /' >&2
    return 1
  fi
}

# nginx_reload: reloads and waits until nginx's old worker processes have exited, so that no
# connection to an instance dropped from the upstream remains. Fails if the reload did not take.
nginx_reload() {
  local master old_workers=() t0 pid still new
  master=$(nginx_master) || { fail "nginx is not running (no live process in $nginx_pid)"; return 1; }
  mapfile -t old_workers < <(nginx_children "$master")
  t0=$(now_ms)
  "${nginx_cmd[@]}" -s reload 2>/dev/null || kill -HUP "$master"
  # The reload took once the master has started new workers (children not in the old set).
  while :; do
    new=0
    while read -r pid; do
      [ -n "$pid" ] || continue
      [[ " ${old_workers[*]} " == *" $pid "* ]] || { new=1; break; }
    done < <(nginx_children "$master")
    [ "$new" = 1 ] && break
    if [ $(($(now_ms) - t0)) -ge 10000 ]; then
      fail "nginx did not start new worker processes within 10s of the reload (is $nginx_pid the pid file of the nginx using this configuration? see nginx's error log)"
      return 1
    fi
    sleep 0.05
  done
  while :; do
    still=()
    for pid in "${old_workers[@]}"; do alive_pid "$pid" && still+=("$pid"); done
    [ ${#still[@]} -eq 0 ] && break
    if [ $(($(now_ms) - t0)) -ge "$nginx_drain_timeout_ms" ]; then
      warn "nginx's old workers (${still[*]}) still running after $nginx_drain_timeout (--nginx-drain-timeout); continuing: the old instance answers their remaining requests while it drains"
      break
    fi
    sleep 0.05
  done
  say "  nginx reloaded; old workers gone after $(secs $(($(now_ms) - t0)))"
}

nginx_start() {
  local t0
  # 9>&-: the nginx master must not inherit (and hold forever) the deploy lock.
  "${nginx_cmd[@]}" 9>&- || { fail "nginx failed to start"; return 1; }
  t0=$(now_ms)
  until nginx_master > /dev/null; do
    if [ $(($(now_ms) - t0)) -ge 10000 ]; then fail "nginx started but no live pid in $nginx_pid"; return 1; fi
    sleep 0.05
  done
  say "  nginx started (master pid $(nginx_master))"
}

# route PORTS...: points nginx at exactly these ports (nginx -t, reload or start). On failure the
# upstream file is restored and nginx keeps its previous configuration.
route() {
  write_upstream "$@"
  if ! nginx_test; then
    restore_upstream
    return 1
  fi
  if nginx_master > /dev/null; then
    if ! nginx_reload; then
      restore_upstream
      return 1
    fi
  elif [ "$start_nginx" = 1 ]; then
    nginx_start || { restore_upstream; return 1; }
  else
    restore_upstream
    fail "nginx is not running (no live process in $nginx_pid); start it, or pass --start-nginx"
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------
# Releases

list_releases() { # oldest first
  local d
  for d in "$releases"/*/; do
    [ -d "$d" ] && basename "$d"
  done | LC_ALL=C sort
}

current_release() {
  [ -L "$root/current" ] && basename "$(readlink "$root/current")"
}

set_current() { # release name; atomic: ln -sfn to a temporary name, then rename(2) over `current`
  ln -sfn "releases/$1" "$root/.current.new" && mv -fT "$root/.current.new" "$root/current"
}

create_release() { # SRC -> prints the new release's name
  local src=$1 name dir n=1
  [ -d "$src" ] || { fail "release source '$src' is not a directory"; return 1; }
  [ -x "$src/bin/start" ] || { fail "release source '$src' has no executable bin/start"; return 1; }
  name=$(date +%Y%m%d%H%M%S)
  while [ -e "$releases/$name" ] || [ -e "$releases/.$name.partial" ]; do
    n=$((n + 1)); name="$(date +%Y%m%d%H%M%S)-$n"
  done
  dir="$releases/$name"
  # Copied under a hidden temporary name, renamed when complete: a release is never half-written.
  rm -rf "$releases/.$name.partial"
  mkdir -p "$releases/.$name.partial"
  cp -a "$src/." "$releases/.$name.partial/" || { rm -rf "$releases/.$name.partial"; fail "copying $src failed"; return 1; }
  mv "$releases/.$name.partial" "$dir"
  echo "$name"
}

prune_releases() {
  local all=() cur r p in_use n
  mapfile -t all < <(list_releases)
  cur=$(current_release || true)
  n=${#all[@]}
  [ "$n" -gt "$keep" ] || return 0
  local i
  for ((i = 0; i < n - keep; i++)); do
    r=${all[$i]}
    [ "$r" = "$cur" ] && continue
    in_use=0
    for p in "${pool[@]}"; do
      if [ "$(release_name "$p" || true)" = "$r" ] && instance_pid "$p" > /dev/null; then in_use=1; fi
    done
    [ "$in_use" = 1 ] && continue
    rm -rf "${releases:?}/$r"
    say "  removed old release $r (keeping the last $keep)"
  done
}

# ---------------------------------------------------------------------------------------------
# HAProxy (--lb haproxy): read-only use of its stats socket; never a reload.

haproxy_cmd() { # COMMAND -> its output (one command per connection: HAProxy closes after it)
  local out
  exec 8<>"/dev/tcp/${haproxy_stats%:*}/${haproxy_stats##*:}" || return 1
  printf '%s\n' "$1" >&8
  out=$(cat <&8)
  exec 8<&-
  printf '%s\n' "$out"
}

haproxy_status() { # PORT -> HAProxy's status of server p<PORT> (UP, DOWN, "UP 1/2", MAINT, ...)
  haproxy_cmd "show stat" 2>/dev/null \
    | awk -F, -v b="$haproxy_backend" -v s="p$1" '$1 == b && $2 == s { print $18; found = 1 } END { exit !found }'
}

# haproxy_await_down PORT: waits (bounded by --health-timeout) until HAProxy no longer reports
# p<PORT> UP in any form ("UP", "UP 1/2" going down): its port is free and nothing listens there.
haproxy_await_down() {
  local port=$1 t0 state
  t0=$(now_ms)
  while state=$(haproxy_status "$port") && [[ $state == UP* ]]; do
    if [ $(($(now_ms) - t0)) -ge "$health_timeout_ms" ]; then
      fail "HAProxy still reports port $port $state $health_timeout after its instance stopped (--health-timeout)"
      return 1
    fi
    sleep 0.05
  done
}

# replace_in_place PORT RELEASE: SIGTERM the instance on PORT (HAProxy takes it out by its health
# checks while graceful's readiness delay runs), wait for its exit, start RELEASE on the same port,
# gate on HAProxy's UP. Returns 1 when the new instance failed, 3 when only the old stop was unclean.
replace_in_place() {
  local port=$1 release=$2 t0 rc=0
  t0=$(now_ms)
  if instance_pid "$port" > /dev/null; then
    say "  stopping port $port ($(release_name "$port" || echo '?')): SIGTERM; HAProxy's checks take it out"
    stop_instance "$port" || rc=$?
    [ "$(haproxy_status "$port" || true)" != UP ] \
      || warn "HAProxy still routed to port $port when its instance exited: requests sent there meanwhile failed; give the app a readiness delay that covers HAProxy's fall x inter, best with --readiness-probes = fall"
  fi
  # The gate below must see a new UP, not HAProxy's last view of the old instance.
  haproxy_await_down "$port" || { pending_new_port=""; return 1; }
  say "  starting $(version_of "$releases/$release") on port $port"
  pending_new_port=$port
  if ! start_instance "$port" "$releases/$release" || ! gate "$port"; then
    stop_unrouted "$port"; pending_new_port=""
    return 1
  fi
  pending_new_port=""
  say "  port $port replaced in $(secs $(($(now_ms) - t0)))"
  return $rc
}

# haproxy_switch RELEASE: the rolling restart behind HAProxy, as switch_to's contract.
haproxy_switch() {
  local release=$1 t0 rc=0 step=0 p step_rc prev done_ports=() done_prev=()
  t0=$(now_ms)
  haproxy_cmd "show info" > /dev/null 2>&1 || { fail "cannot reach HAProxy's stats socket at $haproxy_stats (--haproxy-stats)"; return 1; }
  for p in "${pool[@]:0:$instances}"; do
    step=$((step + 1))
    say "  instance $step of $instances (port $p)"
    prev=$(release_name "$p" || true)
    step_rc=0
    replace_in_place "$p" "$release" || step_rc=$?
    if [ "$step_rc" = 1 ]; then
      done_ports+=("$p"); done_prev+=("$prev")
      fail "rolling restart failed at instance $step of $instances; putting back the previous release on port(s) ${done_ports[*]}"
      local j back_failed=0
      for ((j = ${#done_ports[@]} - 1; j >= 0; j--)); do
        if [ -z "${done_prev[$j]}" ] || [ ! -d "$releases/${done_prev[$j]}" ]; then
          [ -z "${done_prev[$j]}" ] || { fail "cannot roll back port ${done_ports[$j]}: its previous release is gone"; back_failed=1; }
          continue
        fi
        replace_in_place "${done_ports[$j]}" "${done_prev[$j]}" || [ $? = 3 ] || back_failed=1
      done
      [ "$back_failed" = 0 ] || fail "rolling back failed; run '$PROG status'"
      return 1
    fi
    [ "$step_rc" = 3 ] && rc=3
    done_ports+=("$p"); done_prev+=("$prev")
  done
  set_current "$release" || { fail "cannot point $root/current at releases/$release"; return 1; }
  say "current -> releases/$release ($(version_of "$releases/$release")); took $(secs $(($(now_ms) - t0)))"
  return $rc
}

# ---------------------------------------------------------------------------------------------
# Deploy, rollback

pick_spare() { # args: ports to avoid; prints a pool port with no instance and nothing listening
  local p a skip
  for p in "${pool[@]}"; do
    skip=0
    for a in "$@"; do [ "$a" = "$p" ] && skip=1; done
    [ "$skip" = 1 ] && continue
    instance_pid "$p" > /dev/null && continue
    port_open "$p" && continue
    echo "$p"
    return 0
  done
  return 1
}

# Instances on pool ports nginx does not route to: left by an interrupted deploy. Before stopping
# them, reload nginx so that it provably routes only to the upstream file's ports.
clean_leftovers() {
  local live=("$@") p pid leftovers=()
  for p in "${pool[@]}"; do
    [[ " ${live[*]} " == *" $p "* ]] && continue
    pid=$(instance_pid "$p") && leftovers+=("$p")
  done
  [ ${#leftovers[@]} -gt 0 ] || return 0
  say "found instances nginx does not route to (left by an interrupted deploy) on port(s) ${leftovers[*]}: stopping them"
  if [ ${#live[@]} -gt 0 ] && nginx_master > /dev/null; then
    if ! nginx_test || ! nginx_reload; then
      fail "cannot reload nginx to make sure nothing routes to port(s) ${leftovers[*]}"
      return 1
    fi
  fi
  for p in "${leftovers[@]}"; do stop_instance "$p" || true; done
}

# Interrupt handling: undo what is not yet live, leave what is live alone.
pending_new_port=""   # ports (space-separated) of new instances not routed yet
pending_release=""
on_interrupt() {
  trap - INT TERM
  fail "interrupted"
  local p
  for p in $pending_new_port; do
    say "  stopping the new instance on port $p (never routed)"
    stop_unrouted "$p" || true
  done
  if [ -n "$pending_release" ] && [ -d "$releases/$pending_release" ]; then
    rm -rf "${releases:?}/$pending_release"
  fi
  exit 130
}

# replace_one OLD_PORT RELEASE LIVE...: one step: new instance of RELEASE on a spare port, gate,
# nginx switched from OLD_PORT to it, old workers gone, old instance drained. Sets new_live.
# Returns 1 (nothing changed) if the new instance or nginx failed; 3 if only the old instance's
# stop was not clean.
replace_one() {
  local old=$1 release=$2; shift 2
  local live=("$@") spare p t0
  t0=$(now_ms)
  spare=$(pick_spare "${live[@]}") || { fail "no spare port: every port in --ports ($ports_csv) is live or in use"; return 1; }
  say "  starting $(version_of "$releases/$release") on port $spare"
  pending_new_port=$spare
  start_instance "$spare" "$releases/$release" || { stop_unrouted "$spare"; pending_new_port=""; return 1; }
  if ! gate "$spare"; then
    stop_unrouted "$spare"; pending_new_port=""
    return 1
  fi
  new_live=()
  for p in "${live[@]}"; do
    if [ "$p" = "$old" ]; then new_live+=("$spare"); else new_live+=("$p"); fi
  done
  say "  switching nginx from port $old to port $spare"
  if ! route "${new_live[@]}"; then
    stop_unrouted "$spare"; pending_new_port=""
    return 1
  fi
  pending_new_port=""
  say "  stopping the old instance on port $old ($(release_name "$old" || echo '?')): SIGTERM, drain"
  local rc=0
  stop_instance "$old" || rc=$?
  say "  port $old -> $spare done in $(secs $(($(now_ms) - t0)))"
  return $rc
}

# switch_to RELEASE: makes RELEASE live on --instances instances. Returns 1 when aborted (the
# previous state restored), 3 when switched but an old instance did not stop cleanly.
switch_to() {
  [ "$lb" = nginx ] || { haproxy_switch "$1"; return; }
  local release=$1 live=() t0 rc=0 p old
  t0=$(now_ms)
  mapfile -t live < <(live_ports)
  clean_leftovers "${live[@]}" || return 1
  if [ ${#live[@]} -eq 0 ]; then
    # First deploy: nothing serves yet; start every instance, gate all, then route.
    local started=()
    for ((i = 0; i < instances; i++)); do
      p=$(pick_spare "${started[@]}") || { fail "not enough free ports in --ports ($ports_csv)"; rc=1; break; }
      say "  starting $(version_of "$releases/$release") on port $p"
      started+=("$p")
      pending_new_port="${started[*]}"
      start_instance "$p" "$releases/$release" || { rc=1; break; }
    done
    if [ "$rc" = 0 ]; then
      for p in "${started[@]}"; do gate "$p" || { rc=1; break; }; done
    fi
    if [ "$rc" = 0 ]; then
      say "  routing nginx to port(s) ${started[*]}"
      route "${started[@]}" || rc=1
    fi
    if [ "$rc" != 0 ]; then
      for p in "${started[@]}"; do stop_unrouted "$p"; done
      pending_new_port=""
      return 1
    fi
    pending_new_port=""
  else
    if [ ${#live[@]} -ne "$instances" ]; then
      fail "nginx routes to ${#live[@]} instance(s) (ports ${live[*]}) but --instances is $instances; deploy with --instances ${#live[@]}"
      return 1
    fi
    local old_live=("${live[@]}") replaced=() old_releases=() step=0
    for p in "${live[@]}"; do old_releases+=("$(release_name "$p" || true)"); done
    local cur_live=("${live[@]}")
    for old in "${old_live[@]}"; do
      step=$((step + 1))
      [ "$instances" -gt 1 ] && say "  instance $step of $instances"
      local step_rc=0
      replace_one "$old" "$release" "${cur_live[@]}" || step_rc=$?
      if [ "$step_rc" = 1 ]; then
        if [ ${#replaced[@]} -gt 0 ]; then
          fail "rolling deploy failed at instance $step of $instances; rolling back the ${#replaced[@]} instance(s) already replaced"
          local j back_failed=0 rp target
          for ((j = 0; j < ${#replaced[@]}; j++)); do
            rp=${replaced[$j]}
            target=${old_releases[$j]}
            if [ -z "$target" ] || [ ! -d "$releases/$target" ]; then
              fail "cannot roll back port $rp: its previous release is gone"
              back_failed=1
              continue
            fi
            local back_rc=0
            replace_one "$rp" "$target" "${cur_live[@]}" || back_rc=$?
            if [ "$back_rc" = 1 ]; then back_failed=1; else cur_live=("${new_live[@]}"); fi
          done
          if [ "$back_failed" = 1 ]; then
            fail "rolling back the partial deploy failed: nginx routes to ${cur_live[*]}; run '$PROG status'"
          fi
        fi
        return 1
      fi
      [ "$step_rc" = 3 ] && rc=3
      cur_live=("${new_live[@]}")
      replaced+=("$(live_ports | sed -n "${step}p")")
    done
  fi
  set_current "$release" || { fail "cannot point $root/current at releases/$release"; return 1; }
  say "current -> releases/$release ($(version_of "$releases/$release")); took $(secs $(($(now_ms) - t0)))"
  return $rc
}

with_lock() {
  exec 9> "$root/.deploy.lock"
  flock -n 9 || { fail "another deploy.sh is running on $root (lock $root/.deploy.lock)"; exit 1; }
}

cmd_deploy() {
  local src=$1 release rc=0
  with_lock
  trap on_interrupt INT TERM
  release=$(create_release "$src") || exit 1
  pending_release=$release
  say "deploy $(version_of "$releases/$release") as releases/$release ($([ "$instances" = 1 ] && echo blue-green || echo "rolling over $instances instances"))"
  switch_to "$release" || rc=$?
  if [ "$rc" = 1 ]; then
    rm -rf "${releases:?}/$release"
    fail "deploy aborted: nothing changed, nginx still routes to $(live_ports | tr '\n' ' ')(release $(current_release || echo none))"
    exit 1
  fi
  pending_release=""
  trap - INT TERM
  prune_releases
  [ "$rc" = 3 ] && { warn "deployed, but an old instance did not stop cleanly (see above)"; exit 3; }
  exit 0
}

cmd_rollback() {
  local cur prev="" r rc=0
  with_lock
  trap on_interrupt INT TERM
  cur=$(current_release) || { fail "no current release to roll back from"; exit 1; }
  while read -r r; do
    [ "$r" \< "$cur" ] && prev=$r
  done < <(list_releases)
  [ -n "$prev" ] || { fail "no release older than $cur on disk to roll back to"; exit 1; }
  say "rollback from $cur ($(version_of "$releases/$cur")) to $prev ($(version_of "$releases/$prev"))"
  switch_to "$prev" || rc=$?
  if [ "$rc" = 1 ]; then
    fail "rollback aborted: nothing changed, nginx still routes to $(live_ports | tr '\n' ' ')(release $cur)"
    exit 1
  fi
  trap - INT TERM
  [ "$rc" = 3 ] && { warn "rolled back, but an old instance did not stop cleanly (see above)"; exit 3; }
  exit 0
}

cmd_naive_restart() {
  local src=$1 live=() release port t0
  with_lock
  mapfile -t live < <(live_ports)
  [ ${#live[@]} -eq 1 ] || { fail "naive-restart needs exactly one live instance, nginx routes to: ${live[*]-none}"; exit 1; }
  port=${live[0]}
  release=$(create_release "$src") || exit 1
  t0=$(now_ms)
  say "naive restart of port $port with $(version_of "$releases/$release"): SIGKILL, then start (requests fail meanwhile)"
  kill_instance "$port"
  start_instance "$port" "$releases/$release" || exit 1
  gate "$port" || exit 1
  set_current "$release" || { fail "cannot point $root/current at releases/$release"; return 1; }
  say "current -> releases/$release; took $(secs $(($(now_ms) - t0)))"
  prune_releases
}

cmd_shutdown() {
  local p live=() master
  with_lock
  mapfile -t live < <(live_ports)
  if [ "$start_nginx" = 1 ] && master=$(nginx_master); then
    say "stopping nginx (master $master): nginx -s quit, waiting for its workers"
    "${nginx_cmd[@]}" -s quit 2>/dev/null || kill -QUIT "$master"
    local t0; t0=$(now_ms)
    while alive_pid "$master"; do
      if [ $(($(now_ms) - t0)) -ge "$nginx_drain_timeout_ms" ]; then kill -TERM "$master" 2>/dev/null || true; fi
      sleep 0.05
    done
    live=()
    # With nginx gone, the next deploy starts from scratch (and starts nginx again).
    rm -f "$upstream_file" "$upstream_file.prev"
  fi
  for p in "${pool[@]}"; do
    instance_pid "$p" > /dev/null || continue
    if [[ " ${live[*]} " == *" $p "* ]]; then
      say "leaving port $p running: nginx still routes to it (pass --start-nginx to stop nginx first)"
      continue
    fi
    say "stopping instance on port $p"
    stop_instance "$p" || true
  done
}

cmd_status() {
  local cur r p pid live=() h master
  cur=$(current_release || true)
  echo "root:      $root"
  echo "releases:"
  while read -r r; do
    [ -n "$r" ] || continue
    printf '  %s %-22s %s\n' "$([ "$r" = "$cur" ] && echo '*' || echo ' ')" "$r" "$(version_of "$releases/$r")"
  done < <(list_releases)
  [ -n "$cur" ] || echo "  (no current release)"
  mapfile -t live < <(live_ports)
  echo "instances:"
  for p in "${pool[@]}"; do
    if pid=$(instance_pid "$p"); then
      # Behind HAProxy, its view and not a probe of ours: a probe would count as one more prober.
      if [ "$lb" = haproxy ]; then h=$(haproxy_status "$p" || echo '?')
      elif healthy "$p"; then h=healthy; else h=UNHEALTHY; fi
      printf '  port %-5s pid %-7s %-22s %-9s %s\n' "$p" "$pid" "$(release_name "$p" || echo '?')" "$h" \
        "$([ "$lb" = haproxy ] && echo 'in HAProxy' || { [[ " ${live[*]} " == *" $p "* ]] && echo 'routed' || echo 'not routed'; })"
    elif [[ " ${live[*]} " == *" $p "* ]]; then
      printf '  port %-5s DOWN (routed by nginx!)\n' "$p"
    fi
  done
  if [ "$lb" = haproxy ]; then
    for p in "${pool[@]:0:$instances}"; do
      echo "haproxy:   p$p $(haproxy_status "$p" || echo "unknown (stats socket $haproxy_stats)")"
    done
  elif master=$(nginx_master); then
    echo "nginx:     running (master $master), upstream $upstream_file -> ${live[*]-nothing}"
  else
    echo "nginx:     not running (no live process in $nginx_pid), upstream $upstream_file -> ${live[*]-nothing}"
  fi
}

need curl "used for health checks"
need setsid "util-linux"
need flock "util-linux"
case "$command" in
  deploy)
    src=$(cd "$command_arg" 2>/dev/null && pwd -P) || { fail "release source '$command_arg' is not a directory"; exit 1; }
    cmd_deploy "$src" ;;
  rollback) cmd_rollback ;;
  status) cmd_status ;;
  shutdown) cmd_shutdown ;;
  naive-restart)
    src=$(cd "$command_arg" 2>/dev/null && pwd -P) || { fail "release source '$command_arg' is not a directory"; exit 1; }
    cmd_naive_restart "$src" ;;
esac
