// Traefik's dynamic-configuration extension module. Upstream it lives in Traefik's
// repository (pkg/config/dynamic/ext), reached through a replace directive; it is not
// part of Traefik's module zip and is not published on its own, so a build from the
// module proxy needs this equivalent. See ext.go.
module github.com/traefik/traefik/dynamic/ext

go 1.26.0
