/*
 * The local edge (stack/src/local-edge.ts): `npm start`'s single address for the app and the REST
 * API. It must route as Envoy does, from the same route table: read from envoy/envoy.yaml, it must
 * equal what Envoy reads (`envoycheck -json`), and every REST binding must reach the cluster Envoy
 * would send it to. Upstreams here are plain HTTP servers that record what reaches them.
 */
import { descriptorRegistry, httpRoutes } from '@fooddelivery/adapters/http-routes';
import { grpcRequest, readEnvoyEdge, type EdgeRoute, type JwtRule } from '@fooddelivery/stack/envoy-routes';
import { startLocalEdge, type LocalEdge } from '@fooddelivery/stack/local-edge';
import { repoRoot, toolPath } from '@fooddelivery/stack/paths';
import { expect } from 'chai';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Hit {
  cluster: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('local edge: the app and the REST API on one address, routed by envoy/envoy.yaml', () => {
  const envoy = readEnvoyEdge();
  const registry = descriptorRegistry(readFileSync(join(repoRoot, 'gen', 'descriptor.binpb')));
  const bindings = httpRoutes(registry, envoy.transcodedServices);
  const hits: Hit[] = [];
  const upstreams: Server[] = [];
  /** Server-sent event streams the fake services hold open, and whether their client went away. */
  const streams: Array<{ closed: Promise<void> }> = [];
  let edge: LocalEdge;
  let webRoot: string;

  before(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'local-edge-web-'));
    mkdirSync(join(webRoot, 'assets'));
    mkdirSync(join(webRoot, 'docs'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(webRoot, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(webRoot, 'docs', 'index.html'), '<!doctype html><title>docs</title>');
    writeFileSync(join(webRoot, 'openapi.json'), '{"openapi":"3.0.0"}');
    const urls: Record<string, string> = {};
    for (const cluster of envoy.clusters.filter((name) => name !== 'web')) {
      const server = createServer((request, response) => {
        if (request.url?.endsWith(':watch')) {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write('data: {"tracking":{}}\n\n');
          streams.push({ closed: once(response, 'close').then(() => undefined) });
          return;
        }
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          hits.push({ cluster, method: request.method!, url: request.url!, headers: request.headers, body });
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({ cluster }));
        });
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      upstreams.push(server);
      urls[cluster] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
    edge = await startLocalEdge({ host: '127.0.0.1', port: 0, upstreams: urls, webRoot, devTokens: true });
  });
  after(async () => {
    await edge?.close();
    for (const server of upstreams) server.close();
    rmSync(webRoot, { recursive: true, force: true });
  });

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    fetch(`${edge.url}${path}`, { method, headers, ...(body !== undefined && { body }) });

  it('reads the route table, the JWT rules and the transcoded services as Envoy reads them (envoycheck -json)', () => {
    const result = spawnSync(toolPath('envoycheck'), ['-json', 'envoy/envoy.yaml'], { cwd: repoRoot, encoding: 'utf8' });
    expect(result.status, result.stderr).to.equal(0);
    // The API listener: the one that transcodes (the plain HTTP one only redirects to https).
    const manager = (JSON.parse(result.stdout) as EnvoyJson).static_resources.listeners
      .flatMap((listener) => listener.filter_chains.flatMap((chain) => chain.filters.map((filter) => filter.typed_config)))
      .find((config) => config.http_filters?.some((f) => f.name === 'envoy.filters.http.grpc_json_transcoder'))!;
    const asEnvoy = {
      routes: manager.route_config.virtual_hosts[0]!.routes.map(routeAsUsed),
      rules: (manager.http_filters.find((f) => f.name === 'envoy.filters.http.jwt_authn')!.typed_config as { rules: JwtRule[] }).rules,
      services: (
        manager.http_filters.find((f) => f.name === 'envoy.filters.http.grpc_json_transcoder')!.typed_config as { services: string[] }
      ).services,
    };
    expect({ routes: envoy.routes.map(routeAsUsed), rules: envoy.jwtRules, services: envoy.transcodedServices }).to.deep.equal(asEnvoy);
    expect(envoy.removedRequestHeaders).to.deep.equal(['x-jwt-payload', 'x-jwt-sub']);
  });

  it('forwards every REST binding Envoy routes to the service of its cluster, path, query, body and token unchanged', async () => {
    let forwarded = 0;
    for (const binding of bindings) {
      const cluster = envoy.firstRoute(grpcRequest(binding.grpcPath))?.route?.cluster;
      const path = binding.template.replace(/\{[^}]+\}/g, 'id-1');
      const query = binding.httpMethod === 'GET' ? '?pageSize=5' : '';
      const body = binding.httpMethod === 'GET' ? undefined : '{"reason":"x"}';
      hits.length = 0;
      const response = await call(
        binding.httpMethod,
        `${path}${query}`,
        { authorization: 'Bearer t', 'content-type': 'application/json' },
        body,
      );
      if (cluster === undefined) {
        expect(response.status, `${binding.httpMethod} ${path}: Envoy does not route it`).to.equal(404);
        expect(hits).to.deep.equal([]);
        continue;
      }
      expect(response.status, `${binding.httpMethod} ${path}`).to.equal(200);
      expect(hits, `${binding.httpMethod} ${path}`).to.have.length(1);
      expect(hits[0]).to.deep.include({ cluster, method: binding.httpMethod, url: `${path}${query}`, body: body ?? '' });
      expect(hits[0]!.headers.authorization).to.equal('Bearer t');
      forwarded++;
    }
    expect(forwarded).to.be.greaterThan(10);
  });

  it("answers what Envoy answers itself: 404 for internal RPCs and unmapped paths, Envoy's health, escaped slashes refused", async () => {
    hits.length = 0;
    for (const [method, path] of [
      ['POST', '/v1/payments'],
      ['POST', '/v1/payments/o-1:refund'],
      ['GET', '/v1/stores/s-1/menu/extra'],
      ['GET', '/v1/orders/o-1/unknown'],
      ['GET', '/grpc.health.v1.Health/Check'],
    ] as const) {
      const response = await call(method, path, { 'content-type': 'application/json' }, method === 'POST' ? '{}' : undefined);
      expect(response.status, `${method} ${path}`).to.equal(404);
      expect(await response.json(), `${method} ${path}`).to.deep.equal({ code: 5, message: 'not found' });
    }
    expect(hits).to.deep.equal([]);
    expect(await (await call('GET', '/healthz')).text()).to.equal('ok');
    expect((await call('GET', '/v1/stores%2Fs-1/menu')).status).to.equal(400);
  });

  it('streams server-sent events as they come, and ends the upstream stream when the client goes away', async () => {
    const controller = new AbortController();
    const response = await fetch(`${edge.url}/v1/orders/o-1/tracking:watch`, { signal: controller.signal });
    expect(response.headers.get('content-type')).to.equal('text/event-stream');
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value as Uint8Array)).to.equal('data: {"tracking":{}}\n\n');
    expect(streams).to.have.length(1);
    controller.abort();
    await streams[0]!.closed; // the fake service sees its client (the edge) close
  });

  it("drops a client's x-jwt-payload, as Envoy's early header mutation does", async () => {
    hits.length = 0;
    await call('GET', '/v1/orders', { 'x-jwt-payload': 'forged' });
    expect(hits).to.have.length(1);
    expect(hits[0]!.headers).to.not.have.property('x-jwt-payload');
  });

  it("gives every request an x-request-id of its own, as Envoy does, and passes the caller's traceparent", async () => {
    hits.length = 0;
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const response = await call('GET', '/v1/orders', { 'x-request-id': 'chosen-by-the-client', traceparent });
    expect(hits).to.have.length(1);
    const requestId = hits[0]!.headers['x-request-id'];
    expect(requestId).to.match(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-request-id')).to.equal(requestId);
    expect(hits[0]!.headers.traceparent).to.equal(traceparent);
  });

  it("serves the web cluster's paths from the built app, GET only", async () => {
    for (const [path, text] of [
      ['/', '<title>app</title>'],
      ['/assets/index-abc.js', 'console.log(1)'],
      ['/docs/', '<title>docs</title>'],
      ['/openapi.json', '"openapi"'],
    ] as const) {
      const response = await call('GET', path);
      expect(response.status, path).to.equal(200);
      expect(await response.text(), path).to.include(text);
    }
    expect((await call('GET', '/assets/index-abc.js')).headers.get('cache-control')).to.include('immutable');
    expect((await call('GET', '/assets/missing.js')).status).to.equal(404);
    expect((await call('GET', '/package.json')).status).to.equal(404);
    expect((await call('POST', '/', {}, '')).status).to.equal(404);
  });

  it('signs development tokens for a customer or a store owner that verify against envoy/jwks.json', async () => {
    const jwks = createLocalJWKSet(JSON.parse(readFileSync(join(repoRoot, 'envoy', 'jwks.json'), 'utf8')) as JSONWebKeySet);
    for (const [role, subject] of [
      ['customer', 'c-42'],
      ['store_owner', 'store-busan-noodles'],
    ] as const) {
      const response = await call('POST', '/dev/token', { 'content-type': 'application/json' }, JSON.stringify({ role, subject }));
      expect(response.status).to.equal(200);
      expect(response.headers.get('cache-control')).to.equal('no-store');
      const { token } = (await response.json()) as { token: string };
      const { payload } = await jwtVerify(token, jwks, { issuer: 'fooddelivery-dev', audience: 'fooddelivery' });
      expect(payload).to.include({ sub: subject, role });
    }
    for (const body of [
      '{"role":"admin","subject":"a"}',
      '{"role":"service","subject":"order"}',
      '{"role":"customer","subject":"../x"}',
      'nope',
    ]) {
      expect((await call('POST', '/dev/token', { 'content-type': 'application/json' }, body)).status, body).to.equal(400);
    }
  });

  it('has no development sign-in unless asked for', async () => {
    const production = await startLocalEdge({
      host: '127.0.0.1',
      port: 0,
      upstreams: { order: 'x', payment: 'x', store: 'x', notification: 'x', marketing: 'x' },
      webRoot,
      devTokens: false,
    });
    try {
      const response = await fetch(`${production.url}/dev/token`, { method: 'POST', body: '{"role":"customer","subject":"c"}' });
      expect(response.status).to.equal(404);
    } finally {
      await production.close();
    }
  });
});

/** The parts of a route the local edge acts on. */
function routeAsUsed(route: EdgeRoute) {
  return {
    name: route.name,
    match: route.match,
    cluster: route.route?.cluster,
    timeout: route.route?.timeout,
    status: route.direct_response?.status,
    body: route.direct_response?.body?.inline_string,
  };
}

interface EnvoyJson {
  static_resources: {
    listeners: Array<{
      filter_chains: Array<{
        filters: Array<{
          typed_config: {
            route_config: { virtual_hosts: Array<{ routes: EdgeRoute[] }> };
            http_filters: Array<{ name: string; typed_config: object }>;
          };
        }>;
      }>;
    }>;
  };
}
