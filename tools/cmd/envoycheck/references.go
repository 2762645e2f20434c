package main

import (
	"fmt"
	"sort"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	corsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	transcoderv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/grpc_json_transcoder/v3"
	jwtv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/jwt_authn/v3"
	ratelimitv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/local_ratelimit/v3"
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
)

// perRouteTypes is the per-route configuration type each HTTP filter accepts in
// typed_per_filter_config (the filters this project uses; others are not type-checked).
var perRouteTypes = map[protoreflect.FullName]protoreflect.FullName{
	name(&corsv3.Cors{}):                     name(&corsv3.CorsPolicy{}),
	name(&jwtv3.JwtAuthentication{}):         name(&jwtv3.PerRouteConfig{}),
	name(&ratelimitv3.LocalRateLimit{}):      name(&ratelimitv3.LocalRateLimit{}),
	name(&transcoderv3.GrpcJsonTranscoder{}): name(&transcoderv3.GrpcJsonTranscoder{}),
}

func name(m proto.Message) protoreflect.FullName { return m.ProtoReflect().Descriptor().FullName() }

// references checks what Envoy resolves when it loads the configuration: names that must be
// unique, and names that must refer to something defined.
func (c *checker) references() {
	static := c.bootstrap.GetStaticResources()
	clusters := map[string]bool{}
	for i, cluster := range static.GetClusters() {
		if clusters[cluster.GetName()] {
			c.add(pathKey(pathIndex("static_resources.clusters", i), "name"), fmt.Sprintf("duplicate cluster name %q", cluster.GetName()))
		}
		clusters[cluster.GetName()] = true
	}
	listeners := map[string]bool{}
	for i, listener := range static.GetListeners() {
		if listener.GetName() != "" && listeners[listener.GetName()] {
			c.add(pathKey(pathIndex("static_resources.listeners", i), "name"), fmt.Sprintf("duplicate listener name %q", listener.GetName()))
		}
		listeners[listener.GetName()] = true
	}
	for _, t := range c.typed {
		switch config := t.msg.(type) {
		case *hcmv3.HttpConnectionManager:
			c.connectionManager(config, t.path, clusters)
		case *jwtv3.JwtAuthentication:
			c.jwtProviders(config, t.path)
		}
	}
}

type httpFilter struct {
	config proto.Message
}

func (c *checker) connectionManager(hcm *hcmv3.HttpConnectionManager, path string, clusters map[string]bool) {
	filters := map[string]httpFilter{}
	list := hcm.GetHttpFilters()
	for i, filter := range list {
		p := pathIndex(pathKey(path, "http_filters"), i)
		if _, dup := filters[filter.GetName()]; dup {
			c.add(pathKey(p, "name"), fmt.Sprintf("duplicate HTTP filter name %q", filter.GetName()))
		}
		var config proto.Message
		if filter.GetTypedConfig() != nil {
			config, _ = filter.GetTypedConfig().UnmarshalNew()
		} else if filter.GetConfigDiscovery() == nil {
			c.add(p, fmt.Sprintf("HTTP filter %q has no typed_config", filter.GetName()))
		}
		filters[filter.GetName()] = httpFilter{config: config}
		_, router := config.(*routerv3.Router)
		last := i == len(list)-1
		if router && !last {
			c.add(p, "the router is a terminal filter: filters after it would never run")
		}
		if last && !router && config != nil {
			c.add(p, fmt.Sprintf("the last HTTP filter must be the router (envoy.filters.http.router), not %q", filter.GetName()))
		}
	}
	if len(list) == 0 {
		c.add(path, "no http_filters: Envoy needs at least the router")
	}

	routes := hcm.GetRouteConfig()
	if routes == nil {
		return // RDS or scoped routes: resolved at run time.
	}
	routesPath := pathKey(path, "route_config")
	c.perFilterConfigs(routes.GetTypedPerFilterConfig(), routesPath, filters)
	for i, vhost := range routes.GetVirtualHosts() {
		vhostPath := pathIndex(pathKey(routesPath, "virtual_hosts"), i)
		c.perFilterConfigs(vhost.GetTypedPerFilterConfig(), vhostPath, filters)
		for j, route := range vhost.GetRoutes() {
			c.routes++
			routePath := pathIndex(pathKey(vhostPath, "routes"), j)
			c.perFilterConfigs(route.GetTypedPerFilterConfig(), routePath, filters)
			action := route.GetRoute()
			if action == nil {
				continue
			}
			actionPath := pathKey(routePath, "route")
			c.clusterRef(action.GetCluster(), pathKey(actionPath, "cluster"), clusters)
			for k, weighted := range action.GetWeightedClusters().GetClusters() {
				c.clusterRef(weighted.GetName(), pathKey(pathIndex(pathKey(pathKey(actionPath, "weighted_clusters"), "clusters"), k), "name"), clusters)
			}
			for k, mirror := range action.GetRequestMirrorPolicies() {
				c.clusterRef(mirror.GetCluster(), pathKey(pathIndex(pathKey(actionPath, "request_mirror_policies"), k), "cluster"), clusters)
			}
		}
	}
}

func (c *checker) clusterRef(cluster, path string, clusters map[string]bool) {
	if cluster == "" || clusters[cluster] {
		return
	}
	defined := []string{}
	for _, name := range sortedKeys(clusters) {
		if name != "" {
			defined = append(defined, name)
		}
	}
	c.add(path, fmt.Sprintf("unknown cluster %q (static_resources.clusters defines %v)", cluster, defined))
}

// perFilterConfigs checks typed_per_filter_config: the key must be the name of an HTTP filter of
// the connection manager (the filter looks its per-route configuration up by its own name, so a
// wrong key is silently ignored by Envoy), and the type must be the one that filter accepts.
func (c *checker) perFilterConfigs(configs map[string]*anypb.Any, path string, filters map[string]httpFilter) {
	for _, key := range sortedKeys(configs) {
		p := pathKey(pathKey(path, "typed_per_filter_config"), key)
		filter, ok := filters[key]
		if !ok {
			c.add(p, fmt.Sprintf("no HTTP filter is named %q (the filters are %v): the filter would never see this configuration", key, sortedKeys(filters)))
			continue
		}
		config, err := configs[key].UnmarshalNew()
		if err != nil || filter.config == nil {
			continue // reported by walk
		}
		if wrapper, ok := config.(*routev3.FilterConfig); ok {
			if wrapper.GetConfig() == nil {
				continue
			}
			if config, err = wrapper.GetConfig().UnmarshalNew(); err != nil {
				continue
			}
		}
		want, known := perRouteTypes[name(filter.config)]
		if known && name(config) != want {
			c.add(p, fmt.Sprintf("filter %q (%s) takes a %s here, not a %s", key, name(filter.config), want, name(config)))
		}
		if perRoute, ok := config.(*jwtv3.PerRouteConfig); ok {
			jwt, _ := filter.config.(*jwtv3.JwtAuthentication)
			if requirement := perRoute.GetRequirementName(); requirement != "" && jwt.GetRequirementMap()[requirement] == nil {
				c.add(pathKey(p, "requirement_name"), fmt.Sprintf("no requirement %q in the requirement_map of filter %q", requirement, key))
			}
		}
	}
}

// jwtProviders checks that every requirement names a configured provider (Envoy refuses the
// configuration otherwise).
func (c *checker) jwtProviders(jwt *jwtv3.JwtAuthentication, path string) {
	for i, rule := range jwt.GetRules() {
		c.requirement(jwt, rule.GetRequires(), pathKey(pathIndex(pathKey(path, "rules"), i), "requires"))
	}
	for _, key := range sortedKeys(jwt.GetRequirementMap()) {
		c.requirement(jwt, jwt.GetRequirementMap()[key], pathKey(pathKey(path, "requirement_map"), key))
	}
}

func (c *checker) requirement(jwt *jwtv3.JwtAuthentication, r *jwtv3.JwtRequirement, path string) {
	provider := func(name, p string) {
		if jwt.GetProviders()[name] == nil {
			c.add(p, fmt.Sprintf("unknown JWT provider %q (providers: %v)", name, sortedKeys(jwt.GetProviders())))
		}
	}
	switch {
	case r == nil:
	case r.GetProviderName() != "":
		provider(r.GetProviderName(), pathKey(path, "provider_name"))
	case r.GetProviderAndAudiences() != nil:
		provider(r.GetProviderAndAudiences().GetProviderName(), pathKey(pathKey(path, "provider_and_audiences"), "provider_name"))
	case r.GetRequiresAny() != nil:
		for i, inner := range r.GetRequiresAny().GetRequirements() {
			c.requirement(jwt, inner, pathIndex(pathKey(pathKey(path, "requires_any"), "requirements"), i))
		}
	case r.GetRequiresAll() != nil:
		for i, inner := range r.GetRequiresAll().GetRequirements() {
			c.requirement(jwt, inner, pathIndex(pathKey(pathKey(path, "requires_all"), "requirements"), i))
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
