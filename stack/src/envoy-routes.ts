/**
 * The edge's route table and JWT rules, read from envoy/envoy.yaml and matched the way Envoy
 * matches them (first match wins; prefix, path, safe_regex and path_separated_prefix, header
 * matchers). The local edge (local-edge.ts) routes with it and scripts/openapi.ts reads which
 * operations are public from it, so neither keeps a list of its own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './paths.js';

export const envoyConfigFile = join(repoRoot, 'envoy', 'envoy.yaml');

export interface EdgeRequest {
  method: string;
  /** Path and query, as received. */
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
}

export interface RouteMatch {
  prefix?: string;
  path?: string;
  safe_regex?: { regex: string };
  path_separated_prefix?: string;
  case_sensitive?: boolean;
  headers?: HeaderMatcher[];
  grpc?: object;
}

interface HeaderMatcher {
  name: string;
  string_match?: StringMatcher;
  present_match?: boolean;
  invert_match?: boolean;
  treat_missing_header_as_empty?: boolean;
}

interface StringMatcher {
  exact?: string;
  prefix?: string;
  suffix?: string;
  contains?: string;
  safe_regex?: { regex: string };
  ignore_case?: boolean;
}

export interface EdgeRoute {
  name: string;
  match: RouteMatch;
  route?: { cluster?: string; timeout?: string };
  direct_response?: { status: number; body?: { inline_string?: string } };
}

export interface JwtRule {
  match: RouteMatch;
  requires?: object;
}

export interface EnvoyEdge {
  routes: EdgeRoute[];
  jwtRules: JwtRule[];
  /** The gRPC services the grpc_json_transcoder transcodes REST for. */
  transcodedServices: string[];
  /** Request headers removed before any filter runs (early_header_mutation_extensions). */
  removedRequestHeaders: string[];
  clusters: string[];
  /** The first route whose match accepts the request. */
  firstRoute(request: EdgeRequest): EdgeRoute | undefined;
  /** Whether jwt_authn requires a token: the first rule that matches decides. */
  requiresToken(request: EdgeRequest): boolean;
}

const typeUrl = (name: string) => `type.googleapis.com/${name}`;
const types = {
  connectionManager: typeUrl('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager'),
  jwt: typeUrl('envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication'),
  transcoder: typeUrl('envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder'),
};

interface Typed {
  '@type': string;
  [key: string]: unknown;
}

type ConnectionManager = {
  route_config: { virtual_hosts: Array<{ routes: EdgeRoute[] }> };
  http_filters: Array<{ typed_config: Typed }>;
  early_header_mutation_extensions?: Array<{ typed_config: { mutations?: Array<{ remove?: string }> } }>;
};

/**
 * Reads the API listener's single virtual host, as envoy/envoy.yaml defines it: the one listener
 * that transcodes (the others, such as the plain HTTP one that redirects to https, route nothing).
 */
export function readEnvoyEdge(file = envoyConfigFile): EnvoyEdge {
  const bootstrap = parse(readFileSync(file, 'utf8'), { maxAliasCount: -1 }) as {
    static_resources: {
      listeners: Array<{ filter_chains: Array<{ filters: Array<{ typed_config: Typed }> }> }>;
      clusters: Array<{ name: string }>;
    };
  };
  const managers = bootstrap.static_resources.listeners.flatMap((listener) =>
    listener.filter_chains
      .flatMap((chain) => chain.filters)
      .filter((f) => f.typed_config['@type'] === types.connectionManager)
      .map((f) => f.typed_config as unknown as ConnectionManager),
  );
  const apiManagers = managers.filter((candidate) => candidate.http_filters.some((f) => f.typed_config['@type'] === types.transcoder));
  if (apiManagers.length > 1) throw new Error(`${file}: expected one listener that transcodes, found ${apiManagers.length}`);
  const manager = apiManagers[0];
  if (!manager) throw new Error(`${file}: no http_connection_manager with the gRPC-JSON transcoder`);
  const [virtualHost, ...moreHosts] = manager.route_config.virtual_hosts;
  if (!virtualHost || moreHosts.length > 0) throw new Error(`${file}: expected one virtual host`);
  const filter = (type: string) => manager.http_filters.find((candidate) => candidate.typed_config['@type'] === type)?.typed_config;
  const jwt = filter(types.jwt) as { rules: JwtRule[] } | undefined;
  const transcoder = filter(types.transcoder) as { services: string[] } | undefined;
  const routes = virtualHost.routes;
  const jwtRules = jwt?.rules ?? [];
  return {
    routes,
    jwtRules,
    transcodedServices: transcoder?.services ?? [],
    removedRequestHeaders: (manager.early_header_mutation_extensions ?? [])
      .flatMap((extension) => extension.typed_config.mutations ?? [])
      .flatMap((mutation) => (mutation.remove ? [mutation.remove.toLowerCase()] : [])),
    clusters: bootstrap.static_resources.clusters.map((cluster) => cluster.name),
    firstRoute: (request) => routes.find((route) => routeMatches(route.match, request)),
    requiresToken: (request) => jwtRules.find((rule) => routeMatches(rule.match, request))?.requires !== undefined,
  };
}

/** A gRPC request for `path` (what the transcoder turns a REST request into). */
export function grpcRequest(path: string): EdgeRequest {
  return { method: 'POST', path, headers: { 'content-type': 'application/grpc' } };
}

const supportedRouteMatch = new Set(['prefix', 'path', 'safe_regex', 'path_separated_prefix', 'case_sensitive', 'headers', 'grpc']);

/** Envoy's config.route.v3.RouteMatch, for the forms envoy/envoy.yaml may use (others throw). */
export function routeMatches(match: RouteMatch, request: EdgeRequest): boolean {
  for (const field of Object.keys(match)) {
    if (!supportedRouteMatch.has(field)) throw new Error(`route match field ${field} is not implemented: add it to envoy-routes.ts`);
  }
  const pathOnly = request.path.split('?')[0]!;
  const caseSensitive = match.case_sensitive ?? true;
  const fold = (s: string) => (caseSensitive ? s : s.toLowerCase());
  let pathMatches: boolean;
  if (match.prefix !== undefined) pathMatches = fold(request.path).startsWith(fold(match.prefix));
  else if (match.path !== undefined) pathMatches = fold(pathOnly) === fold(match.path);
  else if (match.safe_regex !== undefined) pathMatches = fullMatch(match.safe_regex.regex, pathOnly);
  else if (match.path_separated_prefix !== undefined) {
    const prefix = fold(match.path_separated_prefix);
    pathMatches = fold(pathOnly) === prefix || fold(pathOnly).startsWith(`${prefix}/`);
  } else throw new Error(`route match without a path specifier: ${JSON.stringify(match)}`);
  if (!pathMatches) return false;
  if (match.grpc && !(request.headers['content-type'] ?? '').startsWith('application/grpc')) return false;
  return (match.headers ?? []).every((header) => headerMatches(header, request));
}

const supportedHeaderMatch = new Set(['name', 'string_match', 'present_match', 'invert_match', 'treat_missing_header_as_empty']);

function headerMatches(matcher: HeaderMatcher, request: EdgeRequest): boolean {
  for (const field of Object.keys(matcher)) {
    if (!supportedHeaderMatch.has(field)) throw new Error(`header match field ${field} is not implemented: add it to envoy-routes.ts`);
  }
  let value: string | undefined =
    matcher.name === ':method' ? request.method : matcher.name === ':path' ? request.path : request.headers[matcher.name.toLowerCase()];
  if (value === undefined && matcher.treat_missing_header_as_empty) value = '';
  let result: boolean;
  if (matcher.present_match !== undefined) result = (value !== undefined) === matcher.present_match;
  else if (value === undefined)
    return false; // an absent header matches nothing, inverted or not
  else result = matcher.string_match ? stringMatches(matcher.string_match, value) : true;
  return matcher.invert_match ? !result : result;
}

function stringMatches(matcher: StringMatcher, value: string): boolean {
  const fold = (s: string) => (matcher.ignore_case ? s.toLowerCase() : s);
  if (matcher.exact !== undefined) return fold(value) === fold(matcher.exact);
  if (matcher.prefix !== undefined) return fold(value).startsWith(fold(matcher.prefix));
  if (matcher.suffix !== undefined) return fold(value).endsWith(fold(matcher.suffix));
  if (matcher.contains !== undefined) return fold(value).includes(fold(matcher.contains));
  if (matcher.safe_regex !== undefined) return fullMatch(matcher.safe_regex.regex, value);
  throw new Error(`string matcher not implemented: ${JSON.stringify(matcher)}`);
}

/** RE2 as Envoy uses it: the whole value must match. */
function fullMatch(regex: string, value: string): boolean {
  return new RegExp(`^(?:${regex})$`, 'u').test(value);
}
