/**
 * The edge of the local stack: one address for the web app and the REST API, as Envoy gives in
 * production (envoy/envoy.yaml), for `npm start` and the browser tests.
 *
 * Requests are routed by Envoy's own route table, read from envoy/envoy.yaml: a REST request that a
 * google.api.http rule of a transcoded service matches is routed by its gRPC path (as Envoy routes
 * it once transcoded) and forwarded to that cluster's service, whose REST port transcodes it the
 * same way; anything else is routed as it comes (the app's files for the `web` cluster, Envoy's
 * direct responses such as 404 for the internal payment RPCs). What Envoy adds on top of routing is
 * not repeated here: each service verifies tokens itself, and the rate limits and CORS stay Envoy's.
 *
 * Development only: POST /dev/token signs a token for a role and subject with the development key
 * (envoy/dev-keys), so that the app can sign in without a private key in the browser. Envoy has no
 * such route.
 */
import { descriptorRegistry, httpRoutes, type HttpRoute } from '@fooddelivery/adapters/http-routes';
import { matchPathTemplate } from '@fooddelivery/adapters/http-rule';
import fastifyReplyFrom from '@fastify/reply-from';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { grpcRequest, readEnvoyEdge, type EdgeRequest, type EdgeRoute } from './envoy-routes.js';
import { repoRoot } from './paths.js';
import { devToken } from './tokens.js';

export interface LocalEdgeOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Base URL of the REST port behind each Envoy cluster, e.g. { order: 'http://127.0.0.1:8081' }. */
  upstreams: Record<string, string>;
  /** The cluster whose requests are served from `webRoot` (the app's files). */
  webCluster?: string;
  /** The built app (web/dist). */
  webRoot?: string;
  /** Serve POST /dev/token. */
  devTokens: boolean;
  /** One JSON line per request (no headers, no query strings). */
  accessLog?: string;
  envoyConfig?: string;
}

export interface LocalEdge {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const webRootDefault = join(repoRoot, 'web', 'dist');

/** Roles the development sign-in hands out tokens for: the web app's two. */
const signInRoles = new Set(['customer', 'store_owner']);
const subjectPattern = /^[A-Za-z0-9._-]{1,64}$/;

export async function startLocalEdge(options: LocalEdgeOptions): Promise<LocalEdge> {
  const edge = readEnvoyEdge(options.envoyConfig);
  const registry = descriptorRegistry(readFileSync(join(repoRoot, 'gen', 'descriptor.binpb')));
  const bindings = httpRoutes(registry, edge.transcodedServices);
  const webCluster = options.webCluster ?? 'web';
  const webRoot = options.webRoot ?? webRootDefault;
  for (const cluster of edge.clusters) {
    if (cluster !== webCluster && !options.upstreams[cluster]) throw new Error(`no local upstream for Envoy cluster ${cluster}`);
  }

  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  // Bodies are forwarded as they come, streamed (the services limit their size).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  // No retries (Envoy's routes have no retry policy), no pooled-connection surprises on restarts.
  await app.register(fastifyReplyFrom, { retryMethods: [], undici: { connections: 32, pipelining: 1 } });
  await app.register(fastifyStatic, { root: webRoot, serve: false, index: false });

  if (options.accessLog) {
    const file = options.accessLog;
    app.addHook('onResponse', async (request, reply) => {
      const line = {
        time: new Date().toISOString(),
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime),
        upstream: (request as RoutedRequest).upstream ?? '',
      };
      appendFileSync(file, `${JSON.stringify(line)}\n`);
    });
  }

  if (options.devTokens) {
    app.post('/dev/token', async (request, reply) => {
      let body: { role?: unknown; subject?: unknown } = {};
      try {
        body = JSON.parse((await text(request.body as Readable | undefined)) || '{}') as typeof body;
      } catch {
        // answered below
      }
      const { role, subject } = body;
      if (typeof role !== 'string' || !signInRoles.has(role) || typeof subject !== 'string' || !subjectPattern.test(subject)) {
        return reply.status(400).send({
          code: 3,
          message: 'send {"role": "customer" | "store_owner", "subject": "<customer or store id: letters, digits, . _ ->"}',
        });
      }
      const token = await devToken(role as 'customer' | 'store_owner', subject);
      return reply.header('cache-control', 'no-store').send({ token, role, subject });
    });
  }

  app.setNotFoundHandler((request, reply) => route(request as RoutedRequest, reply));

  async function route(request: RoutedRequest, reply: FastifyReply): Promise<void> {
    for (const name of edge.removedRequestHeaders) delete request.headers[name];
    // As Envoy's generate_request_id and always_set_request_id_in_response: an id of its own for every request.
    const requestId = randomUUID();
    request.headers['x-request-id'] = requestId;
    void reply.header('x-request-id', requestId);
    const [rawPath = '/', query] = splitQuery(request.url);
    // Envoy: escaped slashes are refused, the path is normalized (dot segments, repeated slashes).
    if (/%2f|%5c/i.test(rawPath)) return localReply(reply, 400, 'escaped slashes are not allowed');
    const path = new URL(rawPath.replace(/\/{2,}/g, '/'), 'http://edge').pathname;
    const headers = Object.fromEntries(
      Object.entries(request.headers).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value]] : [])),
    );
    const asReceived: EdgeRequest = { method: request.method, path: query === undefined ? path : `${path}?${query}`, headers };
    const binding = transcoded(bindings, request.method, path);
    const chosen: EdgeRoute | undefined = binding ? edge.firstRoute(grpcRequest(binding.grpcPath)) : edge.firstRoute(asReceived);
    if (!chosen) return localReply(reply, 404, 'route not found');
    if (chosen.direct_response) {
      const { status, body } = chosen.direct_response;
      return status < 400
        ? void reply.status(status).send(body?.inline_string ?? '')
        : localReply(reply, status, body?.inline_string ?? '');
    }
    const cluster = chosen.route?.cluster;
    if (cluster === webCluster) return serveFile(reply, path);
    const upstream = cluster === undefined ? undefined : options.upstreams[cluster];
    if (upstream === undefined) return localReply(reply, 503, `no healthy upstream for ${cluster ?? chosen.name}`);
    request.upstream = cluster!;
    return reply.from(`${upstream}${path}${query === undefined ? '' : `?${query}`}`, {
      timeout: durationMs(chosen.route?.timeout ?? '15s'),
      onError: (errorReply, { error }) => {
        const timedOut = /timeout/i.test(error.name + error.message);
        void localReply(
          errorReply as FastifyReply,
          timedOut ? 504 : 503,
          timedOut ? 'upstream request timeout' : `upstream ${cluster} is not answering`,
        );
      },
    });
  }

  async function serveFile(reply: FastifyReply, path: string): Promise<void> {
    if (!existsSync(join(webRoot, 'index.html'))) {
      return localReply(reply, 503, 'the web app is not built: run `npm run web:build`');
    }
    const file = path.endsWith('/') ? `${path}index.html` : path;
    // Hashed asset names change with their content: cache them; everything else is revalidated.
    const immutable = file.startsWith('/assets/');
    return reply.sendFile(file.slice(1), { maxAge: immutable ? '365d' : 0, immutable, cacheControl: true });
  }

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}`,
    port,
    async close() {
      const closing = app.close();
      // Streams (WatchOrder) keep their connections: drop them once idle, as the services do.
      const sweep = setInterval(() => app.server.closeAllConnections(), 100);
      try {
        await closing;
      } finally {
        clearInterval(sweep);
      }
    },
  };
}

interface RoutedRequest extends FastifyRequest {
  upstream?: string;
}

async function text(stream: Readable | undefined, limit = 16 * 1024): Promise<string> {
  let collected = '';
  for await (const chunk of stream ?? []) {
    collected += String(chunk);
    if (collected.length > limit) throw new Error('request body too large');
  }
  return collected;
}

/** The REST binding the transcoder would match, if any. */
function transcoded(bindings: HttpRoute[], method: string, path: string): HttpRoute | undefined {
  return bindings.find((binding) => binding.httpMethod === method && matchPathTemplate(binding.path, path) !== undefined);
}

function splitQuery(url: string): [string, string | undefined] {
  const index = url.indexOf('?');
  return index < 0 ? [url, undefined] : [url.slice(0, index), url.slice(index + 1)];
}

/** Envoy's own replies, as envoy.yaml's local_reply_config writes them for REST clients. */
function localReply(reply: FastifyReply, status: number, message: string): FastifyReply {
  if (reply.sent) return reply;
  const code = { 400: 3, 401: 16, 403: 7, 404: 5, 429: 8, 503: 14, 504: 4 }[status] ?? 2;
  return reply.status(status).header('content-type', 'application/json').send({ code, message });
}

function durationMs(duration: string): number {
  const seconds = /^(\d+(?:\.\d+)?)s$/.exec(duration);
  if (!seconds) throw new Error(`unexpected Envoy duration ${duration}`);
  return Math.round(Number(seconds[1]) * 1000);
}
