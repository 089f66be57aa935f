#!/usr/bin/env bash
# Entry point of the README's two commands (npm test, npm run matrix). On a bare machine it sets up
# what is missing first -- Node >= 22.22, npm dependencies, the Docker engine, the base image --
# then runs the job with that Node. Quiet when everything is already there.
#
#   with-env.sh test [files]   typecheck, lint, unit tests and the conformance suites; without
#                              files, then the benchmark's quick check (CONFORMANCE_BENCH_QUICK=0: not)
#   with-env.sh matrix ARGS    the conformance matrix only, then the reports
#   with-env.sh cli ARGS       the conformance CLI (list, run, test, report)
#   with-env.sh bench ARGS     the benchmark (bench/README.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
job="${1:?usage: with-env.sh test|matrix|cli|bench [args]}"; shift

# Node first: everything else runs on it.
node_line=$(bash harness/host/bootstrap.sh --no-docker)
export PATH="${node_line#NODE_BIN=}:$PATH"

# Docker: in CI its absence is an error; locally the container suites skip with one loud line.
if ! bash harness/host/bootstrap.sh >/dev/null; then
  if [ "${CI:-}" = "true" ]; then
    echo "with-env: ERROR: no Docker engine and the bootstrap could not provide one (see above); CI cannot run the conformance suites." >&2
    exit 1
  fi
  echo "with-env: WARNING: no Docker engine; the container suites will be skipped." >&2
fi

# npm dependencies, installed from the lockfile when missing or installed from another lockfile.
# The lockfile's hash is kept beside them: file times say nothing in a fresh clone or a git worktree
# (a checkout makes the lockfile look newer), and `npm ci` deletes node_modules first. A
# node_modules that is a symbolic link belongs to another checkout and is never reinstalled here.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -L node_modules ]; then
  :
elif [ ! -f node_modules/.package-lock.json ] || [ "$(cat node_modules/.conformance-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$lock_hash" > node_modules/.conformance-lock-hash
fi

# The CLI supervises the test run: Ctrl-C or SIGTERM still removes the containers and writes
# reports that say the run was interrupted (harness/cli/supervise.ts).
case "$job" in
  test)
    # [bench] A whole `npm test` (no test files named) ends with the benchmark's quick regression
    # check, after the tests, so that nothing else loads the machine while it measures.
    if [ $# -eq 0 ] && [ "${CONFORMANCE_BENCH_QUICK:-1}" != 0 ]; then
      node harness/cli/main.ts test
      exec node bench/main.ts --quick
    fi
    exec node harness/cli/main.ts test "$@" ;;
  matrix) exec node harness/cli/main.ts run "$@" ;;
  cli) exec node harness/cli/main.ts "$@" ;;
  bench) exec node bench/main.ts "$@" ;;
  *) echo "with-env: unknown job '$job'" >&2; exit 2 ;;
esac
