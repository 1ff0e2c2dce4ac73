#!/usr/bin/env bash
# The whole test suite: install what the tests need (testbed binaries, Debian
# packages), check types and lint, then run every test against the real testbed.
set -euo pipefail
cd "$(dirname "$0")/.."
# The project's pinned Node (npm package `node`), whatever the machine's own is.
export PATH="$PWD/node_modules/.bin:$PATH"

step() { printf '\n== %s\n' "$*" >&2; }

step "testbed binaries, packages and the Python venv of the Tacker CLI (cached after the first run)"
bash testbed/scripts/build.sh
bash testbed/scripts/python-venv.sh >/dev/null

step "types (tsc --noEmit)"
npx --no-install tsc --noEmit -p .

step "lint and format (eslint, prettier)"
npx --no-install eslint . && npx --no-install prettier --check .

step "tests (node:test against the testbed, brought up once here)"
# The testbed is shared by every test file (each uses its own namespaces, databases and
# releases), so files run side by side: two at a time, and beside them, one at a time,
# the files that use the testbed's pool hosts, which they wipe and whose sshd they stop.
# Those are the files that reach them through the testbed (its poolHosts, or the pool-host
# helpers); a hostpool VIM of made-up hosts contacts none.
shopt -s globstar
files=(test/**/*.test.ts)
mapfile -t pool < <(grep -lE 'helpers/pool-hosts\.ts|\.poolHosts\b' "${files[@]}")
rest=()
for f in "${files[@]}"; do [[ " ${pool[*]} " == *" $f "* ]] || rest+=("$f"); done
testbed_was_up=true
node testbed/cli.ts status 2>/dev/null || testbed_was_up=false
node testbed/cli.ts up >/dev/null
run() { # NAME CONCURRENCY FILES...: one node:test run, its lines prefixed with NAME
  local name=$1 n=$2; shift 2
  node --test --test-concurrency="$n" --test-reporter=spec --test-global-setup=test/global-setup.ts \
    --test-timeout=600000 "$@" 2>&1 | sed -u "s/^/[$name] /"
  return "${PIPESTATUS[0]}"
}
printf '%s files: %s beside the %s that use the pool hosts\n' "${#files[@]}" "${#rest[@]}" "${#pool[@]}" >&2
# node --test with no file runs every test file: never give it an empty list.
rc=0
pool_pid=
if ((${#pool[@]})); then
  run pool 1 "${pool[@]}" &
  pool_pid=$!
fi
run tests 2 "${rest[@]}" || rc=$?
[[ -z $pool_pid ]] || wait "$pool_pid" || rc=$?
$testbed_was_up || node testbed/cli.ts down
exit "$rc"
