#!/usr/bin/env bash
# Kubernetes with kubeadm on an Ubuntu/Debian host of the Kubernetes-cluster VNF,
# following the install-script contract of docs/mgmt-driver.md:
#
#   bash install_k8s_cluster.sh <init|join-info|join-master|join-worker|remove-node|reset> <params.json>
#
# Offline by default: nothing is downloaded. kubeadm, kubelet, kubectl and a container
# runtime (containerd) are installed by the operator beforehand, or shipped beside this
# script as Debian packages (packages/*.deb, installed with dpkg). Control-plane images
# are pre-pulled on the host, or shipped as images/*.tar (imported with ctr). A CNI
# manifest shipped as cni.yaml is applied at init (else install one yourself).
#
# Runs as root, or as a user with non-interactive sudo. Parameters (join tokens,
# certificate keys, proxy credentials) are read from the 0600 params file and handed
# to kubeadm in 0600 config files, never on a command line. Progress goes to stderr;
# stdout carries only the final `MGMT_RESULT <json>` line.
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=vnfm_lib.sh
. "$here/vnfm_lib.sh" install_k8s_cluster "$@"

if [ "$(id -u)" = 0 ]; then SUDO=(); else SUDO=(sudo -n --); fi
as_root() { "${SUDO[@]}" "$@"; }
# Files the VNFM's steps write for kubeadm (config with secrets), root-only.
CONF=/etc/vnfm-k8s
KUBECTL=(kubectl --kubeconfig /etc/kubernetes/admin.conf)
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT

p() { json get "$params" "$1" "${2:-str}"; }
need() {
  local v
  v=$(p "$1")
  [ -n "$v" ] || die "params: $1 is missing"
  printf '%s' "$v"
}
# Validated before use: an IP address, a DNS-1123 name, a port, a CIDR.
ip_ok() { python3 -c 'import ipaddress,sys; ipaddress.ip_address(sys.argv[1])' "$1" 2>/dev/null; }
cidr_ok() { python3 -c 'import ipaddress,sys; ipaddress.ip_network(sys.argv[1], strict=False)' "$1" 2>/dev/null; }
name_ok() { [[ "$1" =~ ^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$ ]]; }

# Writes stdin to a root-owned 0600 file.
put_root() {
  cat >"$work/put"
  as_root install -D -m 0600 -o root -g root -- "$work/put" "$1"
}

prerequisites() {
  shopt -s nullglob
  local debs=("$here"/packages/*.deb) images=("$here"/images/*.tar)
  shopt -u nullglob
  if [ "${#debs[@]}" -gt 0 ] && ! command -v kubeadm >/dev/null; then
    say "installing ${#debs[@]} shipped packages"
    as_root dpkg -i -- "${debs[@]}" >&2
  fi
  for tool in kubeadm kubelet kubectl; do
    command -v "$tool" >/dev/null || die "$tool is not installed (install it, or ship packages/*.deb beside the script)"
  done
  for img in "${images[@]}"; do as_root ctr -n k8s.io images import -- "$img" >&2; done
  as_root swapoff -a || true
  as_root modprobe br_netfilter 2>/dev/null || true
  printf 'net.bridge.bridge-nf-call-iptables = 1\nnet.ipv4.ip_forward = 1\n' | put_root /etc/sysctl.d/90-vnfm-k8s.conf
  as_root sysctl --quiet --system >/dev/null || true
  as_root systemctl enable --now kubelet >/dev/null 2>&1 || true
}

# Proxy settings for containerd and kubelet on every node (credentials stay in 0600
# drop-ins); the nodes' own network (k8s_node_cidr) is never sent through the proxy.
proxy() {
  local http https no nodes
  http=$(p proxy.http_proxy)
  https=$(p proxy.https_proxy)
  no=$(p proxy.no_proxy)
  nodes=$(p proxy.k8s_node_cidr)
  [ -z "$nodes" ] || cidr_ok "$nodes" || die "params: proxy.k8s_node_cidr"
  [ -z "$nodes" ] || no=${no:+$no,}$nodes
  [ -n "$http$https$no" ] || return 0
  for v in "$http" "$https" "$no"; do [[ "$v" != *[[:space:]\"\'\\\`\$]* ]] || die "params: proxy holds a character a unit file cannot carry"; done
  for unit in containerd kubelet; do
    {
      printf '[Service]\n'
      [ -z "$http" ] || printf 'Environment="HTTP_PROXY=%s"\n' "$http"
      [ -z "$https" ] || printf 'Environment="HTTPS_PROXY=%s"\n' "$https"
      [ -z "$no" ] || printf 'Environment="NO_PROXY=%s"\n' "$no"
    } | put_root "/etc/systemd/system/$unit.service.d/vnfm-proxy.conf"
  done
  as_root systemctl daemon-reload
  as_root systemctl restart containerd || true
}

# kubectl for the login user (helm over SSH uses it): the cluster's admin kubeconfig, 0600.
user_kubeconfig() {
  mkdir -p -m 0700 -- "$HOME/.kube"
  as_root cat /etc/kubernetes/admin.conf >"$HOME/.kube/config.vnfm-new"
  chmod 0600 -- "$HOME/.kube/config.vnfm-new"
  mv -f -- "$HOME/.kube/config.vnfm-new" "$HOME/.kube/config"
}

# Fresh join data: a bootstrap token (2 h), the CA's public key hash, a certificate key
# for control-plane joins (upload-certs re-encrypts the certificates with a new key).
join_data() {
  local endpoint=$1
  as_root kubeadm token create --ttl 2h0m0s >"$work/token"
  as_root kubeadm init phase upload-certs --upload-certs 2>/dev/null | tail -n1 >"$work/certkey"
  as_root openssl x509 -pubkey -in /etc/kubernetes/pki/ca.crt -noout |
    openssl pkey -pubin -outform der 2>/dev/null | sha256sum | awk '{print "sha256:" $1}' >"$work/cahash"
  python3 - "$work" "$endpoint" >"$work/join.json" <<'PY'
import json, sys
d = sys.argv[1]
read = lambda n: open(f"{d}/{n}").read().strip()
print(json.dumps({"endpoint": sys.argv[2], "token": read("token"),
                  "ca_cert_hash": read("cahash"), "certificate_key": read("certkey")}))
PY
}

endpoint_of() { # cluster_ip api_port → host:port (IPv6 bracketed)
  if [[ "$1" == *:* ]]; then printf '[%s]:%s' "$1" "$2"; else printf '%s:%s' "$1" "$2"; fi
}

# The ServiceAccount the VIM's token belongs to (never `default`), and its token.
service_account_token() {
  local ns name
  ns=$(need service_account.namespace)
  name=$(need service_account.name)
  name_ok "$ns" && name_ok "$name" || die "params: service_account is not a namespace/name pair"
  as_root "${KUBECTL[@]}" apply -f - >&2 <<YAML
apiVersion: v1
kind: ServiceAccount
metadata: {name: $name, namespace: $ns}
---
apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata:
  name: $name-token
  namespace: $ns
  annotations: {kubernetes.io/service-account.name: $name}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: $name}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: $name, namespace: $ns}]
YAML
  for _ in $(seq 1 60); do
    if as_root "${KUBECTL[@]}" -n "$ns" get secret "$name-token" -o 'jsonpath={.data.token}' 2>/dev/null |
      base64 -d >"$work/sa-token" 2>/dev/null && [ -s "$work/sa-token" ]; then
      return 0
    fi
    sleep 2
  done
  die "the token of ServiceAccount $ns/$name was not issued"
}

do_init() {
  local node ip cip port pod svc
  node=$(need node_name)
  ip=$(need node_ip)
  cip=$(need cluster_ip)
  port=$(need api_port)
  pod=$(p pod_cidr)
  svc=$(p cluster_cidr)
  name_ok "$node" || die "params: node_name"
  ip_ok "$ip" && ip_ok "$cip" || die "params: node_ip/cluster_ip must be IP addresses"
  [[ "$port" =~ ^[0-9]{1,5}$ ]] || die "params: api_port"
  [ -z "$pod" ] || cidr_ok "$pod" || die "params: pod_cidr"
  [ -z "$svc" ] || cidr_ok "$svc" || die "params: cluster_cidr"
  local sans=()
  mapfile -t sans < <(p extra_sans list)
  for s in "${sans[@]}"; do ip_ok "$s" || name_ok "$s" || die "params: extra_sans"; done
  prerequisites
  proxy
  if [ ! -f /etc/kubernetes/admin.conf ]; then
    {
      printf 'apiVersion: kubeadm.k8s.io/v1beta3\nkind: InitConfiguration\n'
      printf 'localAPIEndpoint: {advertiseAddress: "%s", bindPort: %s}\n' "$ip" "$port"
      printf 'nodeRegistration: {name: "%s"}\n---\n' "$node"
      printf 'apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n'
      printf 'controlPlaneEndpoint: "%s"\n' "$(endpoint_of "$cip" "$port")"
      printf 'apiServer:\n  certSANs:\n'
      for s in "${sans[@]}"; do printf '  - "%s"\n' "$s"; done
      printf 'networking:\n'
      [ -z "$pod" ] || printf '  podSubnet: "%s"\n' "$pod"
      [ -z "$svc" ] || printf '  serviceSubnet: "%s"\n' "$svc"
    } | put_root "$CONF/init.yaml"
    say "kubeadm init ($node on $ip)"
    as_root kubeadm init --config "$CONF/init.yaml" --upload-certs >&2
  else
    say "already initialised: kubeadm init skipped"
  fi
  [ ! -r "$here/cni.yaml" ] || as_root "${KUBECTL[@]}" apply -f "$here/cni.yaml" >&2
  user_kubeconfig
  service_account_token
  join_data "$(endpoint_of "$cip" "$port")"
  as_root cat /etc/kubernetes/pki/ca.crt >"$work/ca.crt"
  json result "server=:https://$(endpoint_of "$cip" "$port")" "ca_cert=@$work/ca.crt" "token=@$work/sa-token" "join=%$work/join.json"
}

do_join_info() {
  [ -f /etc/kubernetes/admin.conf ] || die "this host is no initialised master"
  local endpoint
  endpoint=$(as_root "${KUBECTL[@]}" config view -o 'jsonpath={.clusters[0].cluster.server}' | sed 's#^https://##')
  join_data "$endpoint"
  json result "join=%$work/join.json"
}

do_join() { # master|worker
  local role=$1 node ip
  node=$(need node_name)
  ip=$(need node_ip)
  name_ok "$node" || die "params: node_name"
  ip_ok "$ip" || die "params: node_ip"
  p join json >"$work/join.json"
  [ -s "$work/join.json" ] || die "params: join is missing"
  prerequisites
  proxy
  if [ -f /etc/kubernetes/kubelet.conf ]; then
    say "already joined: kubeadm join skipped"
  else
    python3 - "$work/join.json" "$node" "$ip" "$role" <<'PY' | put_root "$CONF/join.yaml"
import json, sys
j = json.load(open(sys.argv[1]))
node, ip, role = sys.argv[2:5]
q = json.dumps  # JSON strings are YAML strings
print("apiVersion: kubeadm.k8s.io/v1beta3\nkind: JoinConfiguration")
print(f"discovery:\n  bootstrapToken:\n    apiServerEndpoint: {q(j['endpoint'])}\n    token: {q(j['token'])}")
print(f"    caCertHashes: [{q(j['ca_cert_hash'])}]")
print(f"nodeRegistration: {{name: {q(node)}, kubeletExtraArgs: {{node-ip: {q(ip)}}}}}")
if role == "master":
    print(f"controlPlane:\n  localAPIEndpoint: {{advertiseAddress: {q(ip)}}}\n  certificateKey: {q(j['certificate_key'])}")
PY
    say "kubeadm join as $role ($node on $ip)"
    as_root kubeadm join --config "$CONF/join.yaml" >&2
  fi
  [ "$role" = worker ] || user_kubeconfig
  json result
}

do_remove_node() {
  local node ip role
  node=$(need node_name)
  ip=$(need node_ip)
  role=$(need role)
  name_ok "$node" && ip_ok "$ip" || die "params: node_name/node_ip"
  if as_root "${KUBECTL[@]}" get node "$node" >/dev/null 2>&1; then
    as_root "${KUBECTL[@]}" drain "$node" --ignore-daemonsets --delete-emptydir-data --force --timeout=300s >&2 ||
      die "draining $node failed"
    as_root "${KUBECTL[@]}" delete node "$node" --wait=true >&2
  fi
  if [ "$role" = master ]; then
    # Its etcd member, removed through a surviving member (kubeadm's stacked etcd).
    local pod
    pod=$(as_root "${KUBECTL[@]}" -n kube-system get pods -l component=etcd -o 'jsonpath={.items[0].metadata.name}')
    local etcd=(-n kube-system exec "$pod" -- etcdctl --endpoints=https://127.0.0.1:2379
      --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt --key=/etc/kubernetes/pki/etcd/server.key)
    local id
    id=$(as_root "${KUBECTL[@]}" "${etcd[@]}" member list | awk -F', ' -v u="https://$ip:2380" '$5==u || index($0,u){print $1; exit}')
    [ -z "$id" ] || as_root "${KUBECTL[@]}" "${etcd[@]}" member remove "$id" >&2
  fi
  json result
}

do_reset() {
  if command -v kubeadm >/dev/null; then as_root kubeadm reset -f >&2 || true; fi
  # Only what exists: on a host where nothing was installed, reset needs no root.
  for f in "$CONF" /etc/cni/net.d /etc/sysctl.d/90-vnfm-k8s.conf \
    /etc/systemd/system/containerd.service.d/vnfm-proxy.conf /etc/systemd/system/kubelet.service.d/vnfm-proxy.conf; do
    [ ! -e "$f" ] || as_root rm -rf -- "$f"
  done
  rm -f -- "$HOME/.kube/config"
  rmdir -- "$HOME/.kube" 2>/dev/null || true
  json result
}

case "$action" in
  init) do_init ;;
  join-info) do_join_info ;;
  join-master) do_join master ;;
  join-worker) do_join worker ;;
  remove-node) do_remove_node ;;
  reset) do_reset ;;
  *) die "unknown action (init, join-info, join-master, join-worker, remove-node, reset)" ;;
esac
