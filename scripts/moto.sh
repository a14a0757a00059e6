#!/usr/bin/env bash
# Run a local moto server (fake AWS APIs) on 127.0.0.1 for tests.
#
# Usage:
#   scripts/moto.sh start   # start (if not already running); prints the URL on stdout
#   scripts/moto.sh url     # prints the URL of the running server (exit 1 if none)
#   scripts/moto.sh stop    # stops it; safe to call when not running
#
# State lives in <repo>/target/moto/: moto.pid, moto.url, moto.log.
# Typical use:  url=$(scripts/moto.sh start); trap 'scripts/moto.sh stop' EXIT
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${LANDFORM_VENV:-$REPO/.venv}"
# LANDFORM_MOTO_STATE runs a second, private server (a test that needs a moto of its own).
STATE="${LANDFORM_MOTO_STATE:-$REPO/target/moto}"
PIDFILE="$STATE/moto.pid"
URLFILE="$STATE/moto.url"
LOG="$STATE/moto.log"
START_TIMEOUT="${MOTO_START_TIMEOUT:-30}"

usage() {
    echo "usage: $0 start|stop|url" >&2
    exit 2
}

# True if $1 is a live moto_server process (guards against a recycled pid).
is_moto_pid() {
    local pid="$1"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    [[ -r "/proc/$pid/cmdline" ]] || return 0
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q moto_server
}

running_pid() {
    local pid
    [[ -f "$PIDFILE" ]] || return 1
    pid="$(cat "$PIDFILE" 2>/dev/null || true)"
    is_moto_pid "$pid" || return 1
    echo "$pid"
}

# Polls URL until it answers any HTTP response, pid $2 dies, or the timeout.
wait_ready() {
    "$VENV/bin/python" - "$1" "$2" "$START_TIMEOUT" <<'PY'
import os, sys, time, urllib.error, urllib.request
url, pid, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
deadline = time.monotonic() + timeout
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit(3)  # server died
    try:
        urllib.request.urlopen(url + "/moto-api/", timeout=2).close()
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)  # any HTTP answer means it is serving
    except OSError:
        time.sleep(0.2)
sys.exit(4)  # timed out
PY
}

cmd_start() {
    local pid port url rc attempt
    if pid="$(running_pid)" && [[ -s "$URLFILE" ]]; then
        cat "$URLFILE"
        return 0
    fi
    rm -f "$PIDFILE" "$URLFILE"
    "$REPO/scripts/pyenv.sh"
    mkdir -p "$STATE"
    : >"$LOG"
    # A port picked by binding port 0 can be taken by someone else before
    # moto binds it; retry a few times with a fresh port if the server dies.
    for attempt in 1 2 3; do
        port="$("$VENV/bin/python" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
        url="http://127.0.0.1:$port"
        # AWS managed policies (AWS_ConfigRole, PowerUserAccess...) exist in real accounts;
        # moto loads them only when asked.
        export MOTO_IAM_LOAD_MANAGED_POLICIES=true
        # New session: not killed by the caller's Ctrl-C or terminal hangup,
        # does not hold the caller's stdout/stderr open.
        pid="$("$VENV/bin/python" - "$REPO/scripts/moto_server.py" "$port" "$LOG" <<'PY'
import subprocess, sys
server, port, log = sys.argv[1:4]
with open(log, "ab") as out:
    p = subprocess.Popen([sys.executable, server, "-H", "127.0.0.1", "-p", port],
                         stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                         start_new_session=True, close_fds=True)
print(p.pid)
PY
)"
        echo "$pid" >"$PIDFILE"
        rc=0
        wait_ready "$url" "$pid" || rc=$?
        if [[ $rc -eq 0 ]]; then
            echo "$url" >"$URLFILE"
            echo "moto: pid $pid listening on $url (log: $LOG)" >&2
            echo "$url"
            return 0
        fi
        if [[ $rc -eq 3 ]]; then
            echo "moto: server exited during startup (attempt $attempt, port $port); see $LOG" >&2
            rm -f "$PIDFILE"
            continue
        fi
        echo "moto: no answer from $url within ${START_TIMEOUT}s; stopping it. Log: $LOG" >&2
        cmd_stop
        tail -n 20 "$LOG" >&2 || true
        return 1
    done
    echo "moto: could not start; last lines of $LOG:" >&2
    tail -n 20 "$LOG" >&2 || true
    return 1
}

cmd_stop() {
    local pid i
    if pid="$(running_pid)"; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
        echo "moto: stopped pid $pid" >&2
    fi
    rm -f "$PIDFILE" "$URLFILE"
}

cmd_url() {
    if running_pid >/dev/null && [[ -s "$URLFILE" ]]; then
        cat "$URLFILE"
        return 0
    fi
    echo "moto: not running (start it with $0 start)" >&2
    return 1
}

[[ $# -eq 1 ]] || usage
case "$1" in
start) cmd_start ;;
stop) cmd_stop ;;
url) cmd_url ;;
*) usage ;;
esac
