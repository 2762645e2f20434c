/*
 * The edge configuration (envoy/envoy.yaml), without Envoy: it cannot run on these machines.
 *
 * 1. envoycheck (tools/cmd/envoycheck) validates it against Envoy's own API, and refuses broken
 *    copies with a message that names the field and the line.
 * 2. The configuration as Envoy reads it (`envoycheck -json`) is checked against the protos in
 *    gen/descriptor.binpb: requests are matched against the route table and the JWT rules the way
 *    Envoy matches them (first match wins; prefix, path and safe_regex, header matchers).
 */
import { descriptorRegistry, httpRoutes, type HttpRoute } from '@fooddelivery/adapters/http-routes';
import { repoRoot, toolPath } from '@fooddelivery/stack/paths';
import type { DescService } from '@bufbuild/protobuf';
import { expect } from 'chai';
import { createLocalJWKSet, importPKCS8, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const configFile = 'envoy/envoy.yaml';
const descriptorFile = 'gen/descriptor.binpb';
/** Where the deployment mounts gen/descriptor.binpb and envoy/jwks.json for Envoy. */
const deployedDescriptor = '/etc/envoy/descriptor.binpb';
const deployedJwks = '/etc/envoy/jwks.json';

/** The public services, their clusters and gRPC ports (the defaults of services/<name>/src/main.ts; marketing's config.py). */
const services = {
  'fooddelivery.order.v1.OrderService': { cluster: 'order', port: 50051 },
  'fooddelivery.payment.v1.PaymentService': { cluster: 'payment', port: 50052 },
  'fooddelivery.store.v1.StoreService': { cluster: 'store', port: 50053 },
  'fooddelivery.notification.v1.TrackingService': { cluster: 'notification', port: 50054 },
  'fooddelivery.marketing.v1.MarketingService': { cluster: 'marketing', port: 50055 },
} as const;
type ServiceName = keyof typeof services;
const serviceNames = Object.keys(services) as ServiceName[];

/** RPCs only other services call: never reachable through the edge. */
const internalRpcs = ['/fooddelivery.payment.v1.PaymentService/ApprovePayment', '/fooddelivery.payment.v1.PaymentService/RefundPayment'];
/** RPCs anyone may call without a token. */
const anonymousRpcs = ['/fooddelivery.order.v1.OrderService/ListStores', '/fooddelivery.order.v1.OrderService/GetMenu'];
/** Envoy's own liveness path, also without a token. */
const healthPath = '/healthz';
/** The web app's static files (web/dist): their cluster, and the paths it serves (GET, no token). */
const webCluster = { name: 'web', port: 8080 };
const webPaths = ['/', '/assets/index-1a2b3c.js', '/openapi.json', '/docs/', '/docs/swagger-ui-bundle.js'];

const filterTypes = {
  cors: 'envoy.extensions.filters.http.cors.v3.Cors',
  jwt: 'envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication',
  rateLimit: 'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
  transcoder: 'envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder',
  router: 'envoy.extensions.filters.http.router.v3.Router',
};

function envoycheck(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(toolPath('envoycheck'), args, { cwd: repoRoot, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('Envoy edge configuration (envoy/envoy.yaml)', function () {
  describe("validation against Envoy's API (envoycheck)", () => {
    const source = readFileSync(join(repoRoot, configFile), 'utf8');
    let scratch: string;
    before(() => {
      scratch = mkdtempSync(join(tmpdir(), 'envoycheck-'));
    });
    after(() => rmSync(scratch, { recursive: true, force: true }));

    /** envoycheck on a copy of envoy.yaml with `from` (which must occur) replaced by `to`. */
    function checkBroken(from: string, to: string): { status: number | null; stderr: string } {
      expect(source, 'the text the broken copy replaces').to.include(from);
      const file = join(scratch, 'envoy.yaml');
      writeFileSync(file, source.replace(from, to));
      return envoycheck(file);
    }

    function lineOf(text: string): number {
      return source.slice(0, source.indexOf(text)).split('\n').length;
    }

    it('accepts envoy/envoy.yaml', () => {
      const { status, stdout, stderr } = envoycheck(configFile);
      expect(stderr).to.equal('');
      expect(status).to.equal(0);
      expect(stdout).to.match(/^envoy\/envoy\.yaml: valid Envoy bootstrap \(Envoy API v\d+\.\d+\.\d+\): 2 listener\(s\), 6 cluster\(s\)/);
    });

    it('validates against the API of the Envoy release the deployment runs (Dockerfile, docker-compose.yml)', function () {
      const images = ['Dockerfile', 'docker-compose.yml']
        .filter((file) => existsSync(join(repoRoot, file)))
        .flatMap((file) =>
          [...readFileSync(join(repoRoot, file), 'utf8').matchAll(/envoyproxy\/envoy:v(\d+\.\d+)/g)].map((m) => ({ file, release: m[1] })),
        );
      if (images.length === 0) this.skip();
      const api = /\(Envoy API v(\d+\.\d+)\.\d+\)/.exec(envoycheck(configFile).stdout)?.[1];
      for (const { file, release } of images) {
        expect(
          release,
          `${file} runs Envoy ${release}: pin github.com/envoyproxy/go-control-plane/envoy v${release}.x in tools/go.mod`,
        ).to.equal(api);
      }
    });

    it('refuses a value of the wrong type, naming the field and its line', () => {
      const { status, stderr } = checkBroken('port_value: 50052', 'port_value: fifty-two');
      expect(status).to.equal(1);
      expect(stderr).to.include(`envoy.yaml:${lineOf('port_value: 50052')}: static_resources.clusters[1]`);
      expect(stderr).to.match(/socket_address\.port_value: invalid value for uint32 field portValue: "fifty-two"/);
    });

    it('refuses an unknown field', () => {
      const { status, stderr } = checkBroken('      connect_timeout: 1s\n', '      connect_timeout: 1s\n      connect_timeout_ms: 1000\n');
      expect(status).to.equal(1);
      expect(stderr).to.include('static_resources.clusters[0].connect_timeout_ms: unknown field "connect_timeout_ms"');
    });

    it('refuses a missing required field: a cluster without a name', () => {
      const { status, stderr } = checkBroken('    - name: payment\n      type: STRICT_DNS', '    - type: STRICT_DNS');
      expect(status).to.equal(1);
      expect(stderr).to.include('static_resources.clusters[1].name: value length must be at least 1 runes');
      // The routes to it no longer resolve either.
      expect(stderr).to.include('route.cluster: unknown cluster "payment"');
    });

    it('refuses a typed_config whose @type does not resolve', () => {
      const { status, stderr } = checkBroken('filters.http.cors.v3.Cors\n', 'filters.http.cors.v3.Corz\n');
      expect(status).to.equal(1);
      expect(stderr).to.match(
        /http_filters\[0\]\.typed_config\.@type: @type "type\.googleapis\.com\/envoy\.extensions\.filters\.http\.cors\.v3\.Corz" does not resolve/,
      );
    });

    it('refuses a violated constraint inside a typed_config (validated as Envoy does when it loads the extension)', () => {
      const { status, stderr } = checkBroken('fill_interval: 1s }', 'fill_interval: 0s }');
      expect(status).to.equal(1);
      expect(stderr).to.match(/http_filters\[2\]\.typed_config\.token_bucket\.fill_interval: value must be greater than 0s/);
    });

    it('refuses a deprecated field', () => {
      const { status, stderr } = checkBroken('      typed_extension_protocol_options: *http2\n', '      http2_protocol_options: {}\n');
      expect(status).to.equal(1);
      expect(stderr).to.include('static_resources.clusters[1].http2_protocol_options: deprecated');
    });

    it('refuses references Envoy cannot resolve: an undefined cluster, a JWT provider, a per-route filter name', () => {
      let result = checkBroken('route: { cluster: store, timeout: 15s }', 'route: { cluster: stores, timeout: 15s }');
      expect(result.status).to.equal(1);
      expect(result.stderr).to.include('unknown cluster "stores"');
      result = checkBroken('requires: { provider_name: fooddelivery }', 'requires: { provider_name: food }');
      expect(result.status).to.equal(1);
      expect(result.stderr).to.include('requires.provider_name: unknown JWT provider "food"');
      result = checkBroken('                        envoy.filters.http.cors:\n', '                        envoy.filters.http.corz:\n');
      expect(result.status).to.equal(1);
      expect(result.stderr).to.include('no HTTP filter is named "envoy.filters.http.corz"');
    });
  });

  describe('against the protos (gen/descriptor.binpb)', () => {
    const registry = descriptorRegistry(readFileSync(join(repoRoot, descriptorFile)));
    let edge: Edge;

    before(function () {
      const { status, stdout, stderr } = envoycheck('-json', configFile);
      if (status !== 0) throw new Error(`envoycheck refused ${configFile}:\n${stderr}`);
      edge = readEdge(JSON.parse(stdout) as Bootstrap);
    });

    const fooddeliveryServices = [...registry].filter(
      (type): type is DescService => type.kind === 'service' && type.typeName.startsWith('fooddelivery.'),
    );
    const rpcs = fooddeliveryServices.flatMap((service) =>
      service.methods.map((method) => ({
        service: service.typeName,
        path: `/${service.typeName}/${method.name}`,
        streaming: method.methodKind === 'server_streaming',
      })),
    );
    const publicRpcs = rpcs.filter((rpc) => !internalRpcs.includes(rpc.path));
    const bindings = httpRoutes(registry, serviceNames);

    it('lists every fooddelivery service of the descriptor set', () => {
      expect(fooddeliveryServices.map((service) => service.typeName)).to.have.members(serviceNames);
      for (const rpc of [...internalRpcs, ...anonymousRpcs]) expect(rpcs.map((known) => known.path)).to.include(rpc);
    });

    it('runs the HTTP filters in order: cors, jwt_authn, local_ratelimit, grpc_json_transcoder, router', () => {
      expect(edge.filters.map((filter) => filter.typed_config['@type'])).to.deep.equal(Object.values(filterTypes).map(typeUrl));
    });

    it('routes every public RPC by its gRPC path to its service cluster', () => {
      expect(publicRpcs).to.have.length.greaterThan(10);
      for (const rpc of publicRpcs) {
        const route = edge.firstRoute(grpcRequest(rpc.path));
        expect(route?.route?.cluster, `${rpc.path} → ${route?.name}`).to.equal(services[rpc.service as ServiceName].cluster);
      }
    });

    it('routes every REST binding of a public RPC, once transcoded, to its service cluster, and nowhere before', () => {
      const transcoded = new Set(edge.transcoder.services);
      for (const binding of bindings.filter((b) => !internalRpcs.includes(b.grpcPath))) {
        expect(transcoded.has(binding.service), binding.service).to.equal(true);
        const before = edge.firstRoute(restRequest(binding));
        expect(before?.direct_response, `${binding.httpMethod} ${binding.template} untranscoded → ${before?.name}`).to.not.equal(undefined);
        const after = edge.firstRoute(grpcRequest(binding.grpcPath));
        expect(after?.route?.cluster, `${binding.httpMethod} ${binding.template} → ${binding.grpcPath}`).to.equal(
          services[binding.service as ServiceName].cluster,
        );
      }
    });

    it(`transcodes the public services from the descriptor set as deployed (${deployedDescriptor})`, () => {
      const transcoder = edge.transcoder;
      expect(transcoder.proto_descriptor).to.equal(deployedDescriptor);
      expect(basename(transcoder.proto_descriptor)).to.equal(basename(descriptorFile));
      expect(transcoder.services).to.have.members(serviceNames);
      for (const service of transcoder.services) expect(registry.getService(service), service).to.not.equal(undefined);
      expect(transcoder.print_options?.always_print_primitive_fields ?? false).to.equal(false);
      expect(transcoder.print_options?.preserve_proto_field_names ?? false).to.equal(false);
      expect(transcoder.convert_grpc_status).to.equal(true);
      // The route cache is cleared after transcoding so that the gRPC path picks the route.
      expect(transcoder.match_incoming_request_route ?? false).to.equal(false);
    });

    it('does not route reflection, health, or payment ApprovePayment and RefundPayment (gRPC or REST)', () => {
      const health = registry.getService('grpc.health.v1.Health');
      expect(health, 'grpc.health.v1.Health in the descriptor set').to.not.equal(undefined);
      const blocked = [
        '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
        '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo',
        ...health!.methods.map((method) => `/grpc.health.v1.Health/${method.name}`),
        ...internalRpcs,
      ];
      for (const path of blocked) {
        const route = edge.firstRoute(grpcRequest(path));
        expect(route?.route, `${path} → ${route?.name}`).to.equal(undefined);
        expect(route?.direct_response?.status, `${path} → ${route?.name}`).to.be.oneOf([403, 404]);
      }
      // Transcoding cannot reach them either: their REST bindings map to the blocked gRPC paths.
      const internalBindings = bindings.filter((binding) => internalRpcs.includes(binding.grpcPath));
      expect(internalBindings).to.have.length(2);
      for (const binding of internalBindings) {
        expect(edge.firstRoute(restRequest(binding))?.route, binding.template).to.equal(undefined);
        expect(edge.firstRoute(grpcRequest(binding.grpcPath))?.direct_response?.status, binding.template).to.be.oneOf([403, 404]);
      }
    });

    it('reaches every route of the table (none is shadowed by an earlier one)', () => {
      for (const route of edge.routes) expect(edge.firstRoute(sampleRequest(route.match))?.name, route.name).to.equal(route.name);
    });

    it('gives server streams (WatchOrder) no route timeout, and unary RPCs one', () => {
      for (const rpc of publicRpcs) {
        const timeout = edge.firstRoute(grpcRequest(rpc.path))?.route?.timeout;
        if (rpc.streaming) expect(timeout, rpc.path).to.equal('0s');
        else expect(timeout, rpc.path).to.match(/^[1-9]\d*s$/);
      }
      expect(edge.transcoder.print_options?.stream_sse_style_delimited, 'server-sent events, like the services').to.equal(true);
    });

    it('rate-limits per caller (the token subject), PlaceOrder in one bucket per caller for REST and gRPC, answered 429 in JSON', () => {
      const limit = edge.filter(filterTypes.rateLimit) as LocalRateLimit;
      expectEnforced(limit);
      const placeOrder = bindings.find((binding) => binding.method === 'PlaceOrder')!;
      expect(`${placeOrder.httpMethod} ${placeOrder.template}`).to.equal('POST /v1/orders');
      const getOrder = bindings.find((binding) => binding.method === 'GetOrder')!;
      const as = (subject: string | undefined, request: Request): Request => ({
        ...request,
        headers: { ...request.headers, ...(subject !== undefined && { 'x-jwt-sub': subject }) },
      });
      const bucketsOf = (request: Request) => rateLimitBuckets(limit, request, '203.0.113.7');

      const placeRest = bucketsOf(as('c-1', restRequest(placeOrder)));
      const placeGrpc = bucketsOf(as('c-1', grpcRequest(placeOrder.grpcPath)));
      expect(placeRest, 'POST /v1/orders and gRPC PlaceOrder share their buckets').to.deep.equal(placeGrpc);
      expect(placeRest.map((bucket) => bucket.key)).to.deep.equal(['client=c-1', 'rpc=place_order,client=c-1']);
      const [perClient, perClientPlaceOrder] = placeRest;
      expect(perClientPlaceOrder!.maxTokens).to.be.lessThan(perClient!.maxTokens);
      expect(perClient!.maxTokens).to.be.lessThan(limit.token_bucket.max_tokens);
      expect(
        bucketsOf(as('c-2', restRequest(placeOrder))).map((bucket) => bucket.key),
        'another caller, other buckets',
      ).to.deep.equal(['client=c-2', 'rpc=place_order,client=c-2']);
      expect(bucketsOf(as('c-1', grpcRequest(getOrder.grpcPath))).map((bucket) => bucket.key)).to.deep.equal(['client=c-1']);
      expect(bucketsOf(as(undefined, { method: 'GET', path: '/v1/stores', headers: {} })).map((bucket) => bucket.key)).to.deep.equal([
        'anonymous=true,remote_address=203.0.113.7',
      ]);
      expect(limit.max_dynamic_descriptors).to.be.greaterThanOrEqual(1000);

      const mapper = edge.localReplyMappers.find((candidate) => JSON.stringify(candidate.filter).includes('"default_value":429'));
      expect(mapper, 'a local reply mapper for 429').to.not.equal(undefined);
      expect(mapper!.body_format_override?.content_type).to.equal('application/json');
      expect(mapper!.body_format_override?.json_format)
        .to.include({ code: 8 })
        .and.to.have.property('message')
        .that.matches(/rate limit/);
    });

    it('takes the rate-limit subject only from a verified token: a client-sent x-jwt-sub is removed first', () => {
      const provider = (edge.filter(filterTypes.jwt) as JwtAuthentication).providers.fooddelivery!;
      expect(provider.claim_to_headers).to.deep.equal([{ header_name: 'x-jwt-sub', claim_name: 'sub' }]);
      expect(JSON.stringify(edge.connectionManager.early_header_mutation_extensions)).to.include('"remove":"x-jwt-sub"');
    });

    it('serves the web app from the web cluster: GET only, on its own paths, without a token; no development sign-in', () => {
      const jwt = edge.filter(filterTypes.jwt) as JwtAuthentication;
      for (const path of webPaths) {
        const request = { method: 'GET', path, headers: {} };
        expect(edge.firstRoute(request)?.route?.cluster, `GET ${path}`).to.equal(webCluster.name);
        expect(edge.requiresToken(jwt, request), `GET ${path}`).to.equal(false);
        expect(edge.firstRoute({ ...request, method: 'POST' })?.route, `POST ${path}`).to.equal(undefined);
      }
      // Nothing else reaches it: REST paths no rule maps, gRPC paths, the local edge's /dev/token.
      for (const request of [
        { method: 'GET', path: '/v1/nothing', headers: {} },
        { method: 'GET', path: '/etc/passwd', headers: {} },
        { method: 'POST', path: '/dev/token', headers: {} },
        grpcRequest('/fooddelivery.order.v1.OrderService/Nothing'),
      ]) {
        expect(edge.firstRoute(request)?.route?.cluster, `${request.method} ${request.path}`).to.not.equal(webCluster.name);
      }
      expect(edge.firstRoute({ method: 'POST', path: '/dev/token', headers: {} })?.direct_response?.status).to.equal(404);
      const web = edge.clusters.find((cluster) => cluster.name === webCluster.name)!;
      const endpoints = web.load_assignment.endpoints.flatMap((locality) => locality.lb_endpoints);
      expect(endpoints.map((endpoint) => endpoint.endpoint.address.socket_address)).to.deep.equal([
        { address: webCluster.name, port_value: webCluster.port },
      ]);
      expect(web.health_checks.map((check) => check.http_health_check?.path)).to.deep.equal(['/']);
    });

    it('sends each cluster to its service gRPC port over HTTP/2, with a gRPC health check', () => {
      expect(edge.clusters.map((cluster) => cluster.name)).to.have.members([
        ...Object.values(services).map((s) => s.cluster),
        webCluster.name,
      ]);
      for (const [service, { cluster: name, port }] of Object.entries(services)) {
        const cluster = edge.clusters.find((candidate) => candidate.name === name)!;
        const endpoints = cluster.load_assignment.endpoints.flatMap((locality) => locality.lb_endpoints);
        expect(endpoints.map((endpoint) => endpoint.endpoint.address.socket_address)).to.deep.equal([{ address: name, port_value: port }]);
        const options = cluster.typed_extension_protocol_options?.['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
        expect(options?.explicit_http_config, name).to.have.property('http2_protocol_options');
        expect(cluster.health_checks.map((check) => check.grpc_health_check?.service_name ?? '')).to.deep.equal([service]);
        const tls = cluster.transport_socket?.typed_config as UpstreamTls | undefined;
        expect(tls?.['@type'], `${name}: mutual TLS`).to.equal(typeUrl('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext'));
        expect(tls!.sni).to.equal(name);
        expect(tls!.common_tls_context.tls_certificates, `${name}: Envoy's client certificate`).to.have.length(1);
        expect(tls!.common_tls_context.validation_context.trusted_ca.filename).to.equal('/etc/envoy/upstream-tls/ca.crt');
        expect(tls!.common_tls_context.validation_context.match_typed_subject_alt_names).to.deep.equal([
          { san_type: 'DNS', matcher: { exact: name } },
        ]);
      }
    });

    it('serves the API on 0.0.0.0:8443 over TLS only; plain HTTP on 8080 redirects to https, but for /healthz', () => {
      expect(edge.listener.address.socket_address).to.deep.equal({ address: '0.0.0.0', port_value: 8443 });
      const chains = edge.listener.filter_chains;
      expect(chains).to.have.length(1);
      const tls = chains[0]!.transport_socket?.typed_config as DownstreamTls | undefined;
      expect(tls?.['@type']).to.equal(typeUrl('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext'));
      expect(tls!.common_tls_context.alpn_protocols).to.deep.equal(['h2', 'http/1.1']);
      expect(tls!.common_tls_context.tls_certificates).to.deep.equal([
        { certificate_chain: { filename: '/etc/envoy/tls/tls.crt' }, private_key: { filename: '/etc/envoy/tls/tls.key' } },
      ]);
      const redirect = edge.redirectListener;
      expect(redirect.address.socket_address).to.deep.equal({ address: '0.0.0.0', port_value: 8080 });
      const routes = (redirect.filter_chains[0]!.filters[0]!.typed_config as ConnectionManager).route_config.virtual_hosts[0]!.routes;
      expect(
        routes.find((route) => routeMatches(route.match, { method: 'GET', path: healthPath, headers: {} }))?.direct_response?.status,
      ).to.equal(200);
      for (const path of ['/v1/stores', '/fooddelivery.order.v1.OrderService/PlaceOrder', '/']) {
        const route = routes.find((candidate) => routeMatches(candidate.match, { method: 'POST', path, headers: {} }));
        expect(route?.redirect, path).to.deep.include({ https_redirect: true });
        expect(route?.route, path).to.equal(undefined);
      }
    });

    it("gives every request an x-request-id of its own, also in the response, and lets the caller's traceparent through", () => {
      const manager = edge.connectionManager;
      expect(manager.generate_request_id).to.equal(true);
      expect(manager.preserve_external_request_id ?? false).to.equal(false);
      expect(manager.always_set_request_id_in_response).to.equal(true);
      expect(JSON.stringify(manager).toLowerCase()).to.not.include('traceparent');
    });

    it('listens with CORS for the web origin and the authorization, content-type and idempotency-key headers', () => {
      const cors = edge.virtualHost.typed_per_filter_config?.[edge.filterName(filterTypes.cors)] as CorsPolicy | undefined;
      expect(cors?.['@type']).to.equal('type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy');
      expect(cors!.allow_origin_string_match).to.deep.include({ exact: 'http://localhost:3000' });
      const headers = cors!.allow_headers.split(',').map((header) => header.trim().toLowerCase());
      expect(headers).to.include.members(['authorization', 'content-type', 'idempotency-key']);
      expect(cors!.allow_methods)
        .to.match(/\bGET\b/)
        .and.match(/\bPOST\b/);
    });

    describe('JWT', () => {
      let jwt: JwtAuthentication;
      before(() => {
        jwt = edge.filter(filterTypes.jwt) as JwtAuthentication;
      });

      it('requires a valid token on every route except ListStores, GetMenu and health', () => {
        const anonymous = (request: Request) => !edge.requiresToken(jwt, request);
        for (const rpc of rpcs) {
          expect(anonymous(grpcRequest(rpc.path)), rpc.path).to.equal(anonymousRpcs.includes(rpc.path));
        }
        for (const binding of bindings) {
          const request = restRequest(binding);
          expect(anonymous(request), `${request.method} ${request.path}`).to.equal(anonymousRpcs.includes(binding.grpcPath));
        }
        // Every route of the table, and what a prefix route also catches: only health and the web app's files are public.
        for (const route of edge.routes) {
          const request = sampleRequest(route.match);
          const isPublic = request.path === healthPath || route.route?.cluster === webCluster.name;
          expect(anonymous(request), `${route.name}: ${request.method} ${request.path}`).to.equal(isPublic);
        }
        expect(anonymous({ method: 'GET', path: healthPath, headers: {} })).to.equal(true);
        // The public REST paths are public for GET only, and only as written.
        for (const request of [
          { method: 'POST', path: '/v1/stores', headers: {} },
          { method: 'GET', path: '/v1/stores/s-1/menu/x', headers: {} },
          { method: 'GET', path: '/v1/stores/s-1/orders', headers: {} },
          { method: 'GET', path: '/V1/stores', headers: {} },
        ]) {
          expect(anonymous(request), `${request.method} ${request.path}`).to.equal(false);
        }
        expect(anonymous({ method: 'GET', path: '/v1/stores?page_size=5', headers: {} })).to.equal(true);
        // The last rule catches everything and requires the token.
        const last = jwt.rules.at(-1)!;
        expect(last.match).to.deep.equal({ prefix: '/' });
        expect(last.requires).to.deep.equal({ provider_name: 'fooddelivery' });
        expect(jwt.bypass_cors_preflight).to.equal(true);
      });

      it('verifies the signature against the deployed key set and the audience, requires an expiry within a day, forwards the token and its payload', () => {
        expect(Object.keys(jwt.providers)).to.deep.equal(['fooddelivery']);
        const provider = jwt.providers.fooddelivery!;
        // The issuer differs per deployment: the services check it (AUTH_ISSUER), Envoy the key set.
        expect(provider.issuer ?? '').to.equal('');
        expect(provider.audiences).to.deep.equal(['fooddelivery']);
        expect(provider.require_expiration).to.equal(true);
        expect(provider.max_lifetime).to.equal('86400s');
        expect(provider.local_jwks?.filename).to.equal(deployedJwks);
        expect(provider.forward).to.equal(true);
        expect(provider.forward_payload_header).to.equal('x-jwt-payload');
        // A client cannot smuggle its own claims header: it is removed before any filter runs.
        expect(JSON.stringify(edge.connectionManager.early_header_mutation_extensions)).to.include('"remove":"x-jwt-payload"');
      });

      it('accepts a token signed with the development key (envoy/dev-keys) against envoy/jwks.json, which holds no private key', async () => {
        const jwks = JSON.parse(readFileSync(join(repoRoot, 'envoy', basename(deployedJwks)), 'utf8')) as JSONWebKeySet;
        expect(jwks.keys).to.have.length.greaterThan(0);
        for (const key of jwks.keys) expect(key, 'a public key only').to.not.have.any.keys('d', 'p', 'q', 'dp', 'dq', 'qi', 'k');
        const { kid, alg } = jwks.keys[0]!;
        const privateKey = await importPKCS8(readFileSync(join(repoRoot, 'envoy/dev-keys/jwt-private.pem'), 'utf8'), alg!);
        const provider = jwt.providers.fooddelivery!;
        const token = await new SignJWT({ role: 'customer' })
          .setProtectedHeader({ alg: alg!, ...(kid && { kid }) })
          .setIssuer('fooddelivery-dev')
          .setAudience(provider.audiences[0]!)
          .setSubject('customer-1')
          .setExpirationTime('5m')
          .sign(privateKey);
        const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { audience: provider.audiences });
        expect(payload.sub).to.equal('customer-1');
      });
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The parts of Envoy's configuration the test reads (proto field names, as `envoycheck -json` prints).

interface Typed {
  '@type': string;
}
interface Bootstrap {
  static_resources: { listeners: Listener[]; clusters: Cluster[] };
}
interface Listener {
  name: string;
  address: { socket_address: SocketAddress };
  filter_chains: Array<{ filters: Array<{ name: string; typed_config: Typed }>; transport_socket?: { typed_config: Typed } }>;
}
interface TlsCertificate {
  certificate_chain: { filename: string };
  private_key: { filename: string };
}
interface DownstreamTls extends Typed {
  common_tls_context: { alpn_protocols: string[]; tls_certificates: TlsCertificate[] };
}
interface UpstreamTls extends Typed {
  sni: string;
  common_tls_context: {
    tls_certificates: TlsCertificate[];
    validation_context: { trusted_ca: { filename: string }; match_typed_subject_alt_names: unknown[] };
  };
}
type RateLimitAction =
  | { request_headers: { header_name: string; descriptor_key: string } }
  | { remote_address: object }
  | {
      header_value_match: {
        descriptor_key?: string;
        descriptor_value: string;
        expect_match?: boolean;
        headers: Array<{ name: string; present_match?: boolean; string_match?: { exact?: string; safe_regex?: { regex: string } } }>;
      };
    };
interface SocketAddress {
  address: string;
  port_value: number;
}
interface ConnectionManager extends Typed {
  http_filters: Array<{ name: string; typed_config: Typed }>;
  route_config: { virtual_hosts: VirtualHost[] };
  local_reply_config?: {
    mappers: Array<{ filter: unknown; body_format_override?: { json_format?: Record<string, unknown>; content_type?: string } }>;
  };
  early_header_mutation_extensions?: unknown[];
  generate_request_id?: boolean;
  preserve_external_request_id?: boolean;
  always_set_request_id_in_response?: boolean;
}
interface VirtualHost {
  name: string;
  domains: string[];
  routes: Route[];
  typed_per_filter_config?: Record<string, Typed>;
}
interface Route {
  name: string;
  match: RouteMatch;
  route?: { cluster?: string; timeout?: string };
  direct_response?: { status: number };
  redirect?: { https_redirect?: boolean };
  typed_per_filter_config?: Record<string, Typed>;
}
interface RouteMatch {
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
interface Cluster {
  name: string;
  load_assignment: { endpoints: Array<{ lb_endpoints: Array<{ endpoint: { address: { socket_address: SocketAddress } } }> }> };
  typed_extension_protocol_options?: Record<string, { explicit_http_config?: object }>;
  health_checks: Array<{ grpc_health_check?: { service_name?: string }; http_health_check?: { path?: string } }>;
  transport_socket?: { typed_config: Typed };
}
interface JwtAuthentication extends Typed {
  providers: Record<
    string,
    {
      issuer?: string;
      audiences: string[];
      local_jwks?: { filename?: string };
      forward?: boolean;
      forward_payload_header?: string;
      require_expiration?: boolean;
      max_lifetime?: string;
      claim_to_headers?: Array<{ header_name: string; claim_name: string }>;
    }
  >;
  rules: Array<{ match: RouteMatch; requires?: object }>;
  bypass_cors_preflight?: boolean;
}
interface LocalRateLimit extends Typed {
  token_bucket: { max_tokens: number };
  rate_limits?: Array<{ actions: RateLimitAction[] }>;
  descriptors?: Array<{ entries: Array<{ key: string; value?: string }>; token_bucket: { max_tokens: number } }>;
  max_dynamic_descriptors?: number;
  filter_enabled?: { default_value: { numerator: number; denominator?: string } };
  filter_enforced?: { default_value: { numerator: number; denominator?: string } };
}
interface Transcoder extends Typed {
  proto_descriptor: string;
  services: string[];
  print_options?: { always_print_primitive_fields?: boolean; preserve_proto_field_names?: boolean; stream_sse_style_delimited?: boolean };
  convert_grpc_status?: boolean;
  match_incoming_request_route?: boolean;
}
interface CorsPolicy extends Typed {
  allow_origin_string_match: StringMatcher[];
  allow_methods: string;
  allow_headers: string;
}

function typeUrl(typeName: string): string {
  return `type.googleapis.com/${typeName}`;
}

function expectEnforced(limit: LocalRateLimit): void {
  // Without filter_enabled and filter_enforced at 100%, local_ratelimit only counts.
  for (const fraction of [limit.filter_enabled, limit.filter_enforced]) {
    expect(fraction?.default_value).to.deep.equal({ numerator: 100 }); // denominator HUNDRED is the default
  }
}

/**
 * The token buckets local_ratelimit takes a request's tokens from, besides its default bucket: the
 * descriptors its rate_limits actions produce, each matched against the configured descriptors
 * (an entry without a value matches any value, one bucket per distinct value).
 */
function rateLimitBuckets(limit: LocalRateLimit, request: Request, remoteAddress: string): Array<{ key: string; maxTokens: number }> {
  const header = (name: string) =>
    name === ':path' ? request.path : name === ':method' ? request.method : (request.headers as Record<string, string | undefined>)[name];
  const headerMatches = (matcher: {
    name: string;
    present_match?: boolean;
    string_match?: { exact?: string; safe_regex?: { regex: string } };
  }) => {
    const value = header(matcher.name);
    if (matcher.present_match !== undefined) return (value !== undefined) === matcher.present_match;
    if (value === undefined) return false;
    if (matcher.string_match?.exact !== undefined) return value === matcher.string_match.exact;
    if (matcher.string_match?.safe_regex) return new RegExp(matcher.string_match.safe_regex.regex).test(value);
    throw new Error(`unsupported header matcher ${JSON.stringify(matcher)}`);
  };
  const entryOf = (action: RateLimitAction): { key: string; value: string } | undefined => {
    if ('request_headers' in action) {
      const value = header(action.request_headers.header_name);
      return value === undefined ? undefined : { key: action.request_headers.descriptor_key, value };
    }
    if ('remote_address' in action) return { key: 'remote_address', value: remoteAddress };
    const match = action.header_value_match;
    const matched = match.headers.every(headerMatches);
    return matched === (match.expect_match ?? true)
      ? { key: match.descriptor_key ?? 'header_match', value: match.descriptor_value }
      : undefined;
  };
  const buckets: Array<{ key: string; maxTokens: number }> = [];
  for (const { actions } of limit.rate_limits ?? []) {
    const entries = actions.map(entryOf);
    if (entries.some((entry) => entry === undefined)) continue;
    const produced = entries as Array<{ key: string; value: string }>;
    const configured = (limit.descriptors ?? []).find(
      (descriptor) =>
        descriptor.entries.length === produced.length &&
        descriptor.entries.every(
          (entry, index) => entry.key === produced[index]!.key && (!entry.value || entry.value === produced[index]!.value),
        ),
    );
    if (configured)
      buckets.push({ key: produced.map(({ key, value }) => `${key}=${value}`).join(','), maxTokens: configured.token_bucket.max_tokens });
  }
  return buckets;
}

type Edge = ReturnType<typeof readEdge>;

function readEdge(bootstrap: Bootstrap) {
  const listeners = bootstrap.static_resources.listeners;
  expect(listeners.map((candidate) => candidate.name)).to.have.members(['public', 'redirect']);
  const listener = listeners.find((candidate) => candidate.name === 'public')!;
  const redirectListener = listeners.find((candidate) => candidate.name === 'redirect')!;
  const hcmType = typeUrl('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
  const connectionManager = listener.filter_chains.flatMap((chain) => chain.filters).find((f) => f.typed_config['@type'] === hcmType)
    ?.typed_config as ConnectionManager;
  const virtualHosts = connectionManager.route_config.virtual_hosts;
  expect(virtualHosts).to.have.length(1);
  const virtualHost = virtualHosts[0]!;
  expect(virtualHost.domains).to.deep.equal(['*']);
  const filters = connectionManager.http_filters;
  const filterOf = (typeName: string) => {
    const found = filters.find((filter) => filter.typed_config['@type'] === typeUrl(typeName));
    if (!found) throw new Error(`no HTTP filter of type ${typeName}`);
    return found;
  };
  return {
    listener,
    redirectListener,
    connectionManager,
    virtualHost,
    routes: virtualHost.routes,
    filters,
    clusters: bootstrap.static_resources.clusters,
    localReplyMappers: connectionManager.local_reply_config?.mappers ?? [],
    transcoder: filterOf(filterTypes.transcoder).typed_config as Transcoder,
    filter: (typeName: string) => filterOf(typeName).typed_config,
    filterName: (typeName: string) => filterOf(typeName).name,
    /** The route Envoy picks: the first whose match accepts the request. */
    firstRoute: (request: Request) => virtualHost.routes.find((route) => routeMatches(route.match, request)),
    /** jwt_authn: the first rule that matches decides; a rule without `requires`, or no rule, needs no token. */
    requiresToken: (jwt: JwtAuthentication, request: Request) =>
      jwt.rules.find((rule) => routeMatches(rule.match, request))?.requires !== undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Envoy's route matching (config.route.v3.RouteMatch), for the forms this configuration may use.

interface Request {
  method: string;
  path: string;
  headers: Record<string, string>;
}

function grpcRequest(path: string): Request {
  return { method: 'POST', path, headers: { 'content-type': 'application/grpc' } };
}

function restRequest(binding: HttpRoute): Request {
  const path = binding.template.replace(/\{[^}]+\}/g, (variable) => (variable.includes('=') ? 'sample/segments' : 'sample-id'));
  return { method: binding.httpMethod, path, headers: { 'content-type': 'application/json' } };
}

/** A request that the match accepts (the most specific one: exact path, or the prefix and a method name). */
function sampleRequest(match: RouteMatch): Request {
  let method = 'POST';
  const headers: Record<string, string> = {};
  for (const header of match.headers ?? []) {
    const value = header.string_match?.exact;
    if (value === undefined || header.invert_match) throw new Error(`no sample request for header matcher ${JSON.stringify(header)}`);
    if (header.name === ':method') method = value;
    else headers[header.name] = value;
  }
  if (match.grpc) headers['content-type'] = 'application/grpc';
  if (match.path !== undefined) return { method, path: match.path, headers };
  if (match.prefix !== undefined) return { method, path: `${match.prefix}${match.prefix.endsWith('/') ? '' : '/'}Sample`, headers };
  if (match.path_separated_prefix !== undefined) return { method, path: `${match.path_separated_prefix}/sample`, headers };
  throw new Error(`no sample request for route match ${JSON.stringify(match)}`);
}

const supportedRouteMatch = new Set(['prefix', 'path', 'safe_regex', 'path_separated_prefix', 'case_sensitive', 'headers', 'grpc']);

function routeMatches(match: RouteMatch, request: Request): boolean {
  for (const field of Object.keys(match)) {
    if (!supportedRouteMatch.has(field))
      throw new Error(`route match field ${field} is not implemented by this test: add it to routeMatches`);
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

function headerMatches(matcher: HeaderMatcher, request: Request): boolean {
  for (const field of Object.keys(matcher)) {
    if (!supportedHeaderMatch.has(field)) throw new Error(`header match field ${field} is not implemented by this test`);
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
  throw new Error(`string matcher not implemented by this test: ${JSON.stringify(matcher)}`);
}

/** RE2 as Envoy uses it: the whole value must match. */
function fullMatch(regex: string, value: string): boolean {
  return new RegExp(`^(?:${regex})$`, 'u').test(value);
}
