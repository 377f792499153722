#!/usr/bin/env bash
# Prometheus for the local stack. Measured cold on 2 cores: Debian's package
# (2.42) installs in ~15 s; building 3.7.3 from Go modules takes ~5 min and
# ~3.9 GiB of memory. So: keep one already on PATH, else install Debian's package
# where apt is available, else `npm run stack:up` builds it from dev/cluster/prometheus.
set -euo pipefail
if command -v prometheus >/dev/null 2>&1; then
  echo "prometheus: using $(command -v prometheus)"
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "prometheus: installing Debian's package"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  echo "prometheus: installed $(prometheus --version 2>&1 | head -1)"
else
  echo "prometheus: not on PATH and no apt; the stack will build it from Go modules on first start"
fi
