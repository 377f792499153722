#!/usr/bin/env bash
# The load generator of test/bench/webhook-latency.ts: `hey` (Debian's package), run as
# its own process so the measured server never shares an event loop with the load.
# Prints the path on its last line; HEY_BIN overrides.
set -euo pipefail
for bin in "${HEY_BIN:-}" hey; do
  if [ -n "$bin" ] && command -v "$bin" >/dev/null 2>&1; then
    echo "hey: using $(command -v "$bin")" >&2
    command -v "$bin"
    exit 0
  fi
done
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "hey: installing Debian's package (seconds)" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends hey >/dev/null
  echo "hey: installed" >&2
  command -v hey
else
  echo "hey: not found and no apt as root; install hey or set HEY_BIN" >&2
  exit 1
fi
