#!/usr/bin/env bash
# Runs the suite: static checks (ruff; mypy on what pyproject.toml names: domain/ and data_access/; bandit);
# the pure unit tests once (they touch no database); then, on SQLite and
# again on PostgreSQL when one is configured or reachable, the data and integration tests on two
# workers (pytest-xdist; each test has its own database) and the browser journeys (those that prove
# layout only, marked backend_independent, on SQLite only).
# REQUIRE_POSTGRES=1 (set by .ci/run) turns a missing PostgreSQL into a failure.
# Arguments are passed to pytest; arguments that name tests (not options) run as given on each backend.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_DEFAULT="postgresql+psycopg://postgres@127.0.0.1:5432/test"
WORKERS="${PULSE_TEST_WORKERS:-2}"

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

selection=0
for arg in "$@"; do
  case "$arg" in -*) ;; *) selection=1 ;; esac
done

status=0
timings=()
# run LABEL DATABASE PYTEST-ARGS...: one timed pytest run; a failure fails the whole script at the end.
run() {
  local label="$1" database="$2" started=$SECONDS
  shift 2
  echo "=== $label ==="
  PULSE_TEST_DB="$database" $BIN/python -m pytest -p no:cacheprovider "$@" || status=1
  timings+=("$(printf '%-40s %4d s' "$label" $((SECONDS - started)))")
}

# The migrated empty database and the seeded pilot demo are built once per backend for all passes and
# workers (tests/support/prebuild.py), and dropped when the script ends, whatever happens.
export PULSE_TEST_TEMPLATES="run$$"
templates_built=()
drop_templates() {
  local database
  for database in "${templates_built[@]}"; do
    PULSE_TEST_DB="$database" $BIN/python -m tests.support.prebuild drop || true
  done
}
trap drop_templates EXIT

# passes DATABASE NAME [data-only]: the database-backed passes on one backend ("data-only": without the
# backend-independent browser journeys).
passes() {
  local started=$SECONDS
  templates_built+=("$1")
  PULSE_TEST_DB="$1" $BIN/python -m tests.support.prebuild build || { status=1; return; }
  timings+=("$(printf '%-40s %4d s' "$2: templates (once)" $((SECONDS - started)))")
  if [ $selection -eq 1 ]; then
    run "$2: selected tests" "$1" "${args[@]}"
  else
    run "$2: data + integration (-n $WORKERS)" "$1" -n "$WORKERS" --dist load tests/data tests/integration \
      "${args[@]}"
    # Browser journeys on two workers too: each worker runs its own app server and Chromium, and a journey
    # spends most of its time waiting on the other process, so two overlap well on two cores.
    # Journeys marked backend_independent prove layout only (widths, tap sizes, legibility, screenshots):
    # they run on the first backend (SQLite) only; every journey that writes or reads data runs on both.
    if [ "${3:-all}" = "all" ]; then
      run "$2: browser (-n $WORKERS)" "$1" -n "$WORKERS" --dist load tests/browser "${args[@]}"
    else
      run "$2: browser, data journeys (-n $WORKERS)" "$1" -n "$WORKERS" --dist load -m "not backend_independent" \
        tests/browser "${args[@]}"
    fi
  fi
}

args=("$@")
total_started=$SECONDS
echo "=== Static checks: ruff check, ruff format ==="
$BIN/ruff check . || exit 1
$BIN/ruff format --check . || exit 1
echo "=== Static checks: mypy ==="
$BIN/mypy || exit 1
echo "=== Static checks: bandit -ll (medium and high findings), dependency advisories ==="
# Tests are left out: their asserts and localhost urlopen calls are not shipped code.
$BIN/bandit -ll -q -r . -x ./.venv,./tests 2>/dev/null || { $BIN/bandit -ll -q -r . -x ./.venv,./tests; exit 1; }
# REQUIRE_ADVISORIES=1 turns "advisory service unreachable" into a failure (see the script's docstring).
$BIN/python scripts/check_advisories.py || exit 1

[ $selection -eq 0 ] && run "unit (once, no database)" sqlite tests/unit "${args[@]}"
passes sqlite SQLite
if [ -n "$pg_url" ]; then
  passes "$pg_url" PostgreSQL data-only
else
  echo "*** PostgreSQL pass NOT run: no server configured or reachable (set TEST_DATABASE_URL). ***"
fi

echo "=== Times ==="
printf '%s\n' "${timings[@]}"
printf '%-40s %4d s\n' "total" $((SECONDS - total_started))
exit $status
