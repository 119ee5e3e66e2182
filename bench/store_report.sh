#!/usr/bin/env bash
# Runs the store benchmark on SQLite (a fresh file) and on a throwaway PostgreSQL server.
#   bench/store_report.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap '"$root/tests/store/pg_cluster.sh" stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
echo "== SQLite (WAL, synchronous=FULL) on $(df -h "$work" | awk 'NR==2{print $1}')"
"$build/bench/store_bench" "sqlite:$work/bench.db"
"$root/tests/store/pg_cluster.sh" start "$work/pg" >/dev/null
admin=$(cat "$work/pg/url")
psql -q "$admin" -c "CREATE DATABASE faqbot_bench"
echo "== PostgreSQL (loopback, throwaway cluster with fsync=off)"
"$build/bench/store_bench" "${admin%/*}/faqbot_bench"
