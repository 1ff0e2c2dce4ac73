#!/usr/bin/env bash
# Builds the testbed's binaries from the Go module proxy into a cache outside the
# work tree (by version), and installs the Debian packages the testbed runs
# (openssh-server, postgresql, zsh).
# Each step is named; a failing or hanging step stops the build with that name.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../versions.env
source "$here/versions.env"
cache=${HELM_VNFM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/helm-vnfm}
bin="$cache/bin"
mkdir -p "$bin"
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
step_timeout=${TESTBED_STEP_TIMEOUT:-2400}

log() { printf '[testbed build] %s\n' "$*" >&2; }

# step NAME OUTPUT CMD... : runs CMD unless OUTPUT exists; builds into a temporary
# name first so an interrupted build never leaves a half-written binary behind.
step() {
  local name=$1 out=$2; shift 2
  if [[ -e "$out" ]]; then return 0; fi
  log "building $name (first time only; cached at $out)"
  local started=$SECONDS
  local logf="$cache/${name// /-}.log"
  # timeout runs a fresh bash so that the step can be one of the functions below.
  if ! timeout "$step_timeout" bash -c '"$@"' _ "$@" >"$logf" 2>&1; then
    log "FAILED step '$name' after $((SECONDS - started))s (timeout ${step_timeout}s); last lines of $logf:"
    tail -n 15 "$logf" >&2
    exit 1
  fi
  log "built $name in $((SECONDS - started))s"
}

build_kube() {
  local minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
  (cd "$here/go/kube" && go build -trimpath -ldflags "-s -w \
      -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION \
      -X k8s.io/component-base/version.gitMajor=1 \
      -X k8s.io/component-base/version.gitMinor=$minor" \
      -o "$bin/.kube-$KUBE_VERSION.tmp" . ) && mv "$bin/.kube-$KUBE_VERSION.tmp" "$bin/kube-$KUBE_VERSION"
}
build_etcd() {
  (cd "$here/go/etcd" && go build -trimpath -ldflags "-s -w" -o "$bin/.etcd-$ETCD_VERSION.tmp" . ) \
    && mv "$bin/.etcd-$ETCD_VERSION.tmp" "$bin/etcd-$ETCD_VERSION"
}
# go_install NAME PKG VERSION: go install into a private GOBIN, then rename by version.
go_install() {
  local name=$1 pkg=$2 version=$3 tmp
  tmp=$(mktemp -d "$cache/gobin.XXXXXX")
  GOBIN="$tmp" go install -trimpath -ldflags "-s -w" "$pkg@$version" \
    && mv "$tmp/$(basename "$pkg")" "$bin/$name-$version" && rm -rf "$tmp"
}
# kwok v0.8 ships no default Stages; its module carries them as YAML. Keep the
# ones the testbed uses beside the binary so a cleaned module cache can't lose them.
kwok_stages() {
  local dir out="$cache/kwok-stages-$KWOK_VERSION.yaml"
  dir=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [[ -n "$dir" ]] || { echo "no module directory for kwok $KWOK_VERSION"; return 1; }
  for f in node/fast/node-initialize node/heartbeat/node-heartbeat pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    cat "$dir/kustomize/stage/$f.yaml"; echo "---"
  done >"$out.tmp" && mv "$out.tmp" "$out"
}
# helm stamps its version through ldflags in its Makefile; go install leaves it
# as the module version, which `helm version` reports correctly for v3/v4.

ensure_debian_packages() {
  local missing=()
  command -v sshd >/dev/null 2>&1 || [[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
  command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
  # The CLI's zsh completion is tested by running zsh itself.
  command -v zsh >/dev/null 2>&1 || missing+=(zsh)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then log "FAILED step 'debian packages': need root to install ${missing[*]}"; exit 1; fi
    timeout 600 apt-get update -qq >"$cache/apt.log" 2>&1 || { log "FAILED step 'apt-get update'"; tail -5 "$cache/apt.log" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$cache/apt.log" 2>&1 \
      || { log "FAILED step 'apt-get install ${missing[*]}'"; tail -5 "$cache/apt.log" >&2; exit 1; }
  fi
}

export -f build_kube build_etcd go_install kwok_stages
export here bin cache KUBE_VERSION ETCD_VERSION KWOK_VERSION

command -v go >/dev/null 2>&1 || { log "FAILED step 'go toolchain': go is not on PATH"; exit 1; }
# One build at a time per cache: concurrent runs (several test processes starting on a
# fresh machine) would otherwise build the same binary into the same temporary name and
# fail each other's final mv. A waiter finds the binaries built and skips every step.
exec 9>"$cache/.build.lock"
if ! flock -n 9; then
  log "another build of the testbed holds $cache/.build.lock; waiting for it"
  timeout "$step_timeout" flock 9 || { log "FAILED step 'build lock': still held after ${step_timeout}s"; exit 1; }
fi
ensure_debian_packages
step "helm $HELM3_VERSION" "$bin/helm-$HELM3_VERSION" go_install helm helm.sh/helm/v3/cmd/helm "$HELM3_VERSION"
step "helm $HELM4_VERSION" "$bin/helm-$HELM4_VERSION" go_install helm helm.sh/helm/v4/cmd/helm "$HELM4_VERSION"
step "kwok $KWOK_VERSION" "$bin/kwok-$KWOK_VERSION" go_install kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION"
step "kwok stages $KWOK_VERSION" "$cache/kwok-stages-$KWOK_VERSION.yaml" kwok_stages
step "etcd $ETCD_VERSION" "$bin/etcd-$ETCD_VERSION" build_etcd
step "kubernetes $KUBE_VERSION" "$bin/kube-$KUBE_VERSION" build_kube
log "all binaries ready in $bin"
