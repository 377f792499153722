#!/usr/bin/env bash
# Runs the integration suite against a kind cluster instead of the local stack.
# Needs Docker and kind. Tests that need the local Prometheus are skipped unless
# PROMETHEUS_URL points at one that scrapes the same targets.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v kind >/dev/null 2>&1 || { echo "e2e:kind: kind is not installed (https://kind.sigs.k8s.io)" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "e2e:kind: no Docker engine is running" >&2; exit 1; }
name=${KIND_CLUSTER_NAME:-clairvoyance}
if ! kind get clusters | grep -qx "$name"; then
  kind create cluster --name "$name" --config dev/kind/kind-config.yaml
fi
kubeconfig=$(mktemp)
trap 'rm -f "$kubeconfig"' EXIT
kind get kubeconfig --name "$name" >"$kubeconfig"
E2E_KUBECONFIG="$kubeconfig" npx vitest run --project integration
