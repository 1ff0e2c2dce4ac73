#!/usr/bin/env bash
# Helm on a master node of the Kubernetes-cluster VNF, offline: from a Helm release
# archive (helm-<version>-linux-<arch>.tar.gz as get.helm.sh publishes it) that is
# either already on the host (params `helm_archive` {path, sha256}) or shipped beside
# this script with its checksum file (<archive>.sha256sum, `sha256sum` format). The
# archive is used only when its SHA-256 matches. Root installs to /usr/local/bin,
# another user to ~/.local/bin.
#
#   bash install_helm.sh install|uninstall <params.json>
#
# Contract: docs/mgmt-driver.md ("Helm script actions"). Progress goes to stderr;
# stdout carries only the final `MGMT_RESULT <json>` line.
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=vnfm_lib.sh
. "$here/vnfm_lib.sh" install_helm "$@"

if [ "$(id -u)" = 0 ]; then bindir=/usr/local/bin; else bindir=$HOME/.local/bin; fi
# What this script installed, so uninstall never removes a helm the operator put there.
state=$HOME/.vnfm/helm-installed
# A PATH line for non-root users whose sshd gives commands no ~/.local/bin (Debian's default).
mark_begin='# >>> vnfm install_helm.sh >>>'
mark_end='# <<< vnfm install_helm.sh <<<'

drop_path_block() {
  [ -f "$HOME/.bashrc" ] || return 0
  local tmp
  tmp=$(mktemp "$HOME/.bashrc.vnfm.XXXXXX")
  awk -v b="$mark_begin" -v e="$mark_end" '$0==b{skip=1;next} $0==e{skip=0;next} !skip' "$HOME/.bashrc" >"$tmp"
  chmod --reference="$HOME/.bashrc" "$tmp" 2>/dev/null || chmod 0644 "$tmp"
  if [ -s "$tmp" ]; then mv -f -- "$tmp" "$HOME/.bashrc"; else rm -f -- "$tmp" "$HOME/.bashrc"; fi
}

add_path_block() {
  [ "$bindir" = /usr/local/bin ] && return 0
  drop_path_block
  local tmp
  tmp=$(mktemp "$HOME/.bashrc.vnfm.XXXXXX")
  # First in the file: Debian's .bashrc returns early for non-interactive shells.
  { printf '%s\ncase ":$PATH:" in *":$HOME/.local/bin:"*) ;; *) PATH="$HOME/.local/bin:$PATH" ;; esac\n%s\n' "$mark_begin" "$mark_end"
    [ -f "$HOME/.bashrc" ] && cat -- "$HOME/.bashrc"; } >"$tmp"
  chmod 0644 "$tmp"
  mv -f -- "$tmp" "$HOME/.bashrc"
}

# The archive and its expected SHA-256: the request's, else the one shipped beside this script.
find_archive() {
  archive=$(json get "$params" helm_archive.path)
  sha=$(json get "$params" helm_archive.sha256)
  if [ -z "$archive" ]; then
    local found=()
    shopt -s nullglob
    found=("$here"/helm-*-linux-*.tar.gz)
    shopt -u nullglob
    [ "${#found[@]}" -eq 1 ] || die "no helm_archive in the request and ${#found[@]} helm-*-linux-*.tar.gz beside the script (need exactly one)"
    archive=${found[0]}
    [ -r "$archive.sha256sum" ] || die "$(basename -- "$archive") is shipped without $(basename -- "$archive").sha256sum"
    sha=$(awk 'NR==1{print $1}' "$archive.sha256sum")
  fi
  [[ "$sha" =~ ^[0-9a-fA-F]{64}$ ]] || die "no valid SHA-256 for $archive"
  [ -r "$archive" ] || die "helm archive $archive is not readable"
}

install_helm() {
  find_archive
  printf '%s  %s\n' "${sha,,}" "$archive" | sha256sum --check --status - ||
    die "helm archive $archive does not have SHA-256 $sha: refused"
  unpacked=$(mktemp -d)
  trap 'rm -rf -- "$unpacked"' EXIT
  tar -xzf "$archive" -C "$unpacked" --no-same-owner --no-same-permissions
  local bin=("$unpacked"/linux-*/helm)
  [ -f "${bin[0]}" ] || die "$archive holds no linux-<arch>/helm"
  mkdir -p -- "$bindir"
  install -m 0755 -- "${bin[0]}" "$bindir/helm.vnfm-new"
  mv -f -- "$bindir/helm.vnfm-new" "$bindir/helm"
  mkdir -p -m 0700 -- "$HOME/.vnfm"
  printf '%s\n' "$bindir/helm" >"$state"
  add_path_block
  local version
  version=$("$bindir/helm" version --short 2>/dev/null) || die "$bindir/helm does not run"
  [[ "$version" =~ ^v[0-9A-Za-z.+_-]+$ ]] || die "unexpected helm version output"
  say "helm $version in $bindir"
  json result "version=:$version" "path=:$bindir/helm"
}

uninstall_helm() {
  if [ -f "$state" ]; then
    local installed
    installed=$(head -n1 -- "$state")
    # Only the binary this script put there.
    case "$installed" in
      "$bindir/helm") rm -f -- "$installed" ;;
      *) say "not removing $installed: not where this script installs" ;;
    esac
    rm -f -- "$state"
  fi
  drop_path_block
  # The directories install made, when nothing else is in them.
  [ "$bindir" = /usr/local/bin ] || rmdir -- "$bindir" "$(dirname -- "$bindir")" 2>/dev/null || true
  # helm's own state: repositories, caches, plugins of the login user.
  rm -rf -- "$HOME/.config/helm" "$HOME/.cache/helm" "$HOME/.local/share/helm"
  # Their parents, when helm made them and nothing else uses them.
  rmdir -- "$HOME/.config" "$HOME/.cache" "$HOME/.local/share" "$HOME/.local" 2>/dev/null || true
  json result
}

case "$action" in
  install) install_helm ;;
  uninstall) uninstall_helm ;;
  *) die "unknown action (install, uninstall)" ;;
esac
