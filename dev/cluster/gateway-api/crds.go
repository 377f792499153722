//go:build tools

// The import keeps the requirement (and its go.sum lines) through `go mod tidy`;
// the tag keeps it out of every build.
package crds

import _ "sigs.k8s.io/gateway-api/apis/v1"
