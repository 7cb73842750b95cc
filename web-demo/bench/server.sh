#!/usr/bin/env bash
# Load benchmark of `stockbook serve`: wrk on loopback, 50 connections,
# POST /api/commands stock updates (durable: synchronous=FULL). Runs twice in
# one go on fresh seeded databases: with group commit (the default), then with
# --max-group 1 (a transaction and an fsync per change), so the ratio of the
# two is measured on the same machine at the same time.
# Usage: web-demo/bench/server.sh [BIN] [SECONDS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-${STOCKBOOK_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/stockbook}}
SECS=${2:-20}
DIR=$(mktemp -d "${BENCH_DIR:-$ROOT}/.bench-server-XXXXXX")  # on the repository's disk, not tmpfs
trap 'rm -rf "$DIR"' EXIT
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

run() {
  local label=$1; shift
  local db="$DIR/$label.db" port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$BIN" --db "$db" serve --addr "127.0.0.1:$port" --no-page-token --web-dir "$ROOT/web-demo" --pkg-dir "$ROOT/wasm/pkg" "$@" > "$DIR/$label.out" 2>&1 &
  local pid=$!
  for _ in $(seq 50); do grep -q 'running' "$DIR/$label.out" 2>/dev/null && break; sleep 0.2; done
  local token
  token=$("$BIN" --db "$db" token create --permissions inventory.write --as bench)
  echo "== $label ($*)"
  TOKEN=$token wrk -t2 -c50 -d3s -s "$ROOT/web-demo/bench/stock-updates.lua" "http://127.0.0.1:$port" > /dev/null  # warm-up
  TOKEN=$token wrk -t2 -c50 -d"${SECS}s" --latency -s "$ROOT/web-demo/bench/stock-updates.lua" "http://127.0.0.1:$port"
  kill -TERM "$pid"; wait "$pid" || true
  grep stopped "$DIR/$label.out" || true
  echo "ledger rows: $(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from movements').fetchone()[0])" "$db")"
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
run group-commit
run one-per-request --max-group 1
