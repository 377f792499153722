#!/usr/bin/env bash
# The real node's runtime for the local stack: containerd and runc, the CNI plugins
# (bridge, host-local, loopback, portmap), iptables for kube-proxy and conntrack for
# its clean-up. Debian's packages, as Prometheus's are; already-present tools are kept.
set -euo pipefail
need=()
command -v containerd >/dev/null 2>&1 || need+=(containerd)
command -v runc >/dev/null 2>&1 || need+=(runc)
[ -x /usr/lib/cni/bridge ] || [ -x /opt/cni/bin/bridge ] || need+=(containernetworking-plugins)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v conntrack >/dev/null 2>&1 || need+=(conntrack)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
if [ ${#need[@]} -eq 0 ]; then
  echo "node runtime: using $(containerd --version | head -1), $(runc --version | head -1)"
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "node runtime: installing Debian's ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # The package starts a system containerd; the stack runs its own, on its own socket.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet containerd 2>/dev/null; then systemctl stop containerd || true; fi
  echo "node runtime: installed $(containerd --version | head -1), $(runc --version | head -1)"
else
  echo "node runtime: missing ${need[*]} and no apt (run as root on Debian, or install them); the stack cannot start its real node" >&2
  exit 1
fi
