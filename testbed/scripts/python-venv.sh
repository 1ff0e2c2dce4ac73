#!/usr/bin/env bash
# Makes the Python virtual environment the tests drive: the real Tacker CLI
# (python-tackerclient as an `openstack` plugin) for the interoperability tests and
# schemathesis (the OpenAPI fuzzer of test/api/schemathesis.test.ts), from PyPI,
# with the machine's python3. Cached outside the work tree by the pinned versions, like the
# testbed binaries; a finished venv is marked by a stamp file, so an interrupted
# build is redone rather than half-used. Idempotent and quiet once cached; prints
# the venv's bin directory (and nothing else) on stdout.
set -euo pipefail

TACKERCLIENT_VERSION=2.6.0
OPENSTACKCLIENT_VERSION=8.2.0
SCHEMATHESIS_VERSION=4.32.5

here=$(cd "$(dirname "$0")/.." && pwd)
# Their dependencies, pinned too; the venv's name carries the file's hash.
constraints="$here/python-constraints.txt"
pins=$(sha256sum "$constraints" | cut -c1-12)

cache=${HELM_VNFM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/helm-vnfm}
venv="$cache/venv-tackerclient-$TACKERCLIENT_VERSION-osc-$OPENSTACKCLIENT_VERSION-schemathesis-$SCHEMATHESIS_VERSION-$pins"
stamp="$venv/.complete"

if [[ ! -e "$stamp" ]]; then
  printf '[python venv] installing python-tackerclient %s and schemathesis %s (first time only; cached at %s)\n' \
    "$TACKERCLIENT_VERSION" "$SCHEMATHESIS_VERSION" "$venv" >&2
  mkdir -p "$cache"
  rm -rf "$venv"
  log="$cache/python-venv.log"
  if ! { python3 -m venv "$venv" &&
    timeout 900 "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input \
      --constraint "$constraints" "python-tackerclient==$TACKERCLIENT_VERSION" \
      "python-openstackclient==$OPENSTACKCLIENT_VERSION" "schemathesis==$SCHEMATHESIS_VERSION"; } </dev/null >"$log" 2>&1; then
    printf '[python venv] FAILED; last lines of %s:\n' "$log" >&2
    tail -n 15 "$log" >&2
    rm -rf "$venv"
    exit 1
  fi
  touch "$stamp"
fi
printf '%s\n' "$venv/bin"
