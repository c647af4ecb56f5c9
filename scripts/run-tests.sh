#!/usr/bin/env bash
# Runs the whole suite on SQLite, then again on PostgreSQL when one is configured or reachable.
# REQUIRE_POSTGRES=1 (set by .ci/run) turns a missing PostgreSQL into a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_DEFAULT="postgresql+psycopg://postgres@127.0.0.1:5432/test"

pg_url="${TEST_DATABASE_URL:-}"
if [ -z "$pg_url" ] && $BIN/python -m tests.pg_probe "$PG_DEFAULT" >/dev/null 2>&1; then
  pg_url="$PG_DEFAULT"
fi
if [ -n "$pg_url" ] && ! $BIN/python -m tests.pg_probe "$pg_url"; then
  echo "PostgreSQL at $pg_url cannot be reached." >&2
  if [ "${REQUIRE_POSTGRES:-0}" = "1" ]; then exit 1; fi
  pg_url=""
fi
if [ -z "$pg_url" ] && [ "${REQUIRE_POSTGRES:-0}" = "1" ]; then
  echo "REQUIRE_POSTGRES=1 but no PostgreSQL is configured (TEST_DATABASE_URL)." >&2
  exit 1
fi

echo "=== Static checks: ruff check, ruff format ==="
$BIN/ruff check . || exit 1
$BIN/ruff format --check . || exit 1
echo "=== Static checks: bandit -ll (medium and high findings), dependency advisories ==="
# Tests are left out: their asserts and localhost urlopen calls are not shipped code.
$BIN/bandit -ll -q -r . -x ./.venv,./tests 2>/dev/null || { $BIN/bandit -ll -q -r . -x ./.venv,./tests; exit 1; }
# REQUIRE_ADVISORIES=1 turns "advisory service unreachable" into a failure (see the script's docstring).
$BIN/python scripts/check_advisories.py || exit 1

echo "=== Pass 1/2: SQLite ==="
PULSE_TEST_DB=sqlite $BIN/python -m pytest -p no:cacheprovider "$@"
sqlite_rc=$?

pg_rc=0
if [ -n "$pg_url" ]; then
  echo "=== Pass 2/2: PostgreSQL ($pg_url) ==="
  PULSE_TEST_DB="$pg_url" $BIN/python -m pytest -p no:cacheprovider "$@"
  pg_rc=$?
else
  echo "*** PostgreSQL pass NOT run: no server configured or reachable (set TEST_DATABASE_URL). ***"
fi

[ $sqlite_rc -eq 0 ] && [ $pg_rc -eq 0 ]
