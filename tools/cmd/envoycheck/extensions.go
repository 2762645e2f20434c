package main

// The Envoy extension types a bootstrap may name in a typed_config. protojson resolves every
// `@type` through the global registry, which holds only the packages linked into this binary: a
// configuration that uses another extension fails here with "not registered" until its package is
// added below (its path follows the type name, e.g.
// envoy.extensions.filters.http.cors.v3.Cors → envoy/extensions/filters/http/cors/v3).
import (
	// Bootstrap, listener, cluster, route and core types.
	_ "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"

	// Network filter: the HTTP connection manager.
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"

	// HTTP filters.
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/grpc_json_transcoder/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/jwt_authn/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/local_ratelimit/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"

	// Upstream HTTP/2 to the gRPC services (typed_extension_protocol_options). The gRPC health
	// checker (grpc_health_check) is part of envoy.config.core.v3.
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"

	// Access log to stdout, and the connection manager's early header mutation.
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/stream/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/http/early_header_mutation/header_mutation/v3"
)
