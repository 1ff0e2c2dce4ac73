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

step "tests (node:test, testbed brought up once by test/global-setup.ts)"
node --test --test-concurrency=1 --test-global-setup=test/global-setup.ts --test-timeout=600000 'test/**/*.test.ts'
