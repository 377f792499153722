// Package ext is the extension point of Traefik's dynamic configuration: the
// open-source build embeds these two types in its HTTP configuration and its routers,
// empty. Upstream's package declares exactly this; it is rewritten here only because
// the module is not served (see go.mod).
package ext

// HTTP extends dynamic.HTTPConfiguration; empty in the open-source build.
type HTTP struct{}

// Router extends dynamic.Router; empty in the open-source build.
type Router struct{}
