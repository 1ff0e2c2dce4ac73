# Sourced by the install scripts beside it: their arguments (`<action> <params.json>`, the
# install-script contract of docs/mgmt-driver.md), progress and errors on stderr, and
# vnfm_json.py for the params file and the MGMT_RESULT line.
#   . "$here/vnfm_lib.sh" <script name> "$@"
set -euo pipefail
umask 077
script_name=$1
action=${2:-}
params=${3:-}
json() { python3 "$here/vnfm_json.py" "$@"; }
say() { printf '%s: %s\n' "$script_name" "$*" >&2; }
die() {
  say "$action: $*"
  exit 1
}
[ -n "$params" ] && [ -r "$params" ] || die "usage: $script_name.sh <action> <params.json>"
