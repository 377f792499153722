#!/usr/bin/env bash
# Headless Chromium for the test that loads `clairvoyance backtest --html` pages and
# screenshots them. Debian's package where apt is available; elsewhere set CHROMIUM_BIN.
set -euo pipefail
for bin in "${CHROMIUM_BIN:-}" chromium chromium-browser google-chrome; do
  if [ -n "$bin" ] && command -v "$bin" >/dev/null 2>&1; then
    echo "chromium: using $(command -v "$bin")"
    exit 0
  fi
done
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "chromium: installing Debian's package (about a minute)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  # Debian's launcher script prints shell noise on stderr; the version is on stdout.
  echo "chromium: installed $(chromium --version 2>/dev/null | head -1)"
else
  echo "chromium: not found and no apt; install Chromium or set CHROMIUM_BIN, or the backtest page test fails"
fi
