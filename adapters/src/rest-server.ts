import {
  fromBinary,
  fromJson,
  ScalarType,
  toBinary,
  toJson,
  type DescField,
  type DescMessage,
  type FileRegistry,
  type JsonObject,
  type JsonValue,
} from '@bufbuild/protobuf';
import type { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { status as grpcStatus } from '@grpc/grpc-js';
import { ErrorDetails } from './error-details.js';
import { InvalidRequestError, toPublicError } from './errors.js';
import { callLogContext, logFailure } from './grpc-server.js';
import { descriptorRegistry, httpRoutes, type HttpRoute } from './http-routes.js';
import { matchPathTemplate } from './http-rule.js';
import { unsafeIntegerError, unsafeIntegerField } from './request-decoding.js';
import { withLogContext, type Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { serverSpan, type HeaderReader, type RunningSpan } from './tracing.js';
import type { Authenticate, CallContext, MethodDefinition, ServiceBinding, StreamHandler, UnaryHandler } from './rpc.js';

export interface RestServerOptions {
  services: ServiceBinding[];
  descriptorSet: Buffer;
  logger: Logger;
  metrics: Metrics;
  authenticate: Authenticate;
  /** Largest accepted request body. */
  bodyLimitBytes?: number;
}

interface BoundRoute extends HttpRoute {
  definition: MethodDefinition<unknown, unknown>;
  handler: UnaryHandler<unknown, unknown> | StreamHandler<unknown, unknown>;
}

/** How much of a body over the size limit is read and thrown away so that its client gets the 413. */
const DISCARD_AT_MOST_BYTES = 16 * 1024 * 1024;
const DISCARD_AT_MOST_MS = 5_000;

/** Reads what is left of a request's body and drops it; gives up past `maxBytes` or `maxMs` (the connection is then closed). */
function discardBody(body: Readable, maxBytes: number, maxMs: number): Promise<void> {
  if (body.readableEnded || body.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let read = 0;
    const done = () => {
      clearTimeout(timer);
      body.off('data', count).off('end', done).off('close', done).off('error', done);
      resolve();
    };
    const count = (chunk: Buffer) => {
      read += chunk.length;
      if (read > maxBytes) done();
    };
    const timer = setTimeout(done, maxMs);
    body.on('data', count).once('end', done).once('close', done).once('error', done);
    body.resume();
  });
}

/**
 * REST on the paths of the protos' google.api.http rules, transcoded as Envoy's
 * grpc_json_transcoder does (proto3 JSON mapping, camelCase names, errors as google.rpc.Status
 * JSON), and served by the very same handlers as gRPC. Also serves /metrics.
 */
export class RestServer {
  readonly app: FastifyInstance;
  private readonly registry: FileRegistry;
  private readonly errorDetails: ErrorDetails;
  private readonly routes: BoundRoute[];
  private serving = false;

  constructor(private readonly options: RestServerOptions) {
    this.registry = descriptorRegistry(options.descriptorSet);
    this.errorDetails = new ErrorDetails(this.registry);
    this.routes = bindRoutes(this.registry, options.services);
    this.app = Fastify({ bodyLimit: options.bodyLimitBytes ?? 256 * 1024, logger: false });
    this.app.removeAllContentTypeParsers();
    this.app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    this.app.get('/metrics', async (_request, reply) => {
      reply.header('content-type', options.metrics.registry.contentType);
      return options.metrics.exposition();
    });
    // Probes that need no gRPC client (nor its TLS): alive, and ready (SERVING, as gRPC health says).
    this.app.get('/healthz', async (_request, reply) => reply.status(200).send({ status: 'alive' }));
    this.app.get('/readyz', async (_request, reply) =>
      reply.status(this.serving ? 200 : 503).send({ status: this.serving ? 'SERVING' : 'NOT_SERVING' }),
    );
    this.app.setNotFoundHandler((request, reply) => this.dispatch(request, reply));
    this.app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
      const status = error.statusCode ?? 500;
      if (status >= 500) options.logger.error({ err: error }, 'REST request failed');
      // Refused unread: a client still sending would meet a closed connection instead of the answer.
      if (status === 413) await discardBody(request.raw, DISCARD_AT_MOST_BYTES, DISCARD_AT_MOST_MS);
      return reply.status(status).send({ code: status === 413 ? 8 : 3, message: error.message, details: [] });
    });
  }

  setServing(serving: boolean): void {
    this.serving = serving;
  }

  async listen(host: string, port: number): Promise<number> {
    await this.app.listen({ host, port });
    const address = this.app.server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  async close(): Promise<void> {
    const closing = this.app.close();
    // close() only drops connections idle at that moment: one whose response ends later (a long
    // call, a server-sent event stream) would stay open for the keep-alive timeout and hold
    // the shutdown up. Drop those too as soon as they go idle.
    const sweep = setInterval(() => this.app.server.closeIdleConnections(), 100);
    try {
      await closing;
    } finally {
      clearInterval(sweep);
    }
  }

  private async dispatch(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const url = new URL(request.url, 'http://localhost');
    const found = this.find(request.method, url.pathname);
    if (!found) {
      const status = found === null ? 405 : 404;
      await reply
        .status(status)
        .send({ code: status === 405 ? 12 : 5, message: `no route for ${request.method} ${url.pathname}`, details: [] });
      return;
    }
    const { route, pathVariables } = found;
    const header: HeaderReader = (name) => {
      const value = request.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    };
    const span = serverSpan(route.definition.path.slice(1), header, {
      'rpc.system': 'grpc',
      'rpc.method': route.method,
      'http.request.method': request.method,
      'url.path': url.pathname,
    });
    await span.run(() =>
      withLogContext(callLogContext(route.method, header), () => this.handle(route, pathVariables, url, request, reply, header, span)),
    );
  }

  private async handle(
    route: BoundRoute,
    pathVariables: Record<string, string>,
    url: URL,
    request: FastifyRequest,
    reply: FastifyReply,
    header: HeaderReader,
    span: RunningSpan,
  ): Promise<void> {
    const rpc = route.method;
    let httpStatus = 200;
    let fault: string | undefined;
    const handled = this.options.metrics.rpcStarted({
      service: route.service,
      method: rpc,
      streaming: route.serverStreaming,
      transport: 'rest',
    });
    const controller = new AbortController();
    // The response's close, not the request's: a request closes as soon as its body has been read.
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort(new Error('client went away'));
    });
    try {
      const context: CallContext = {
        principal: await this.options.authenticate(rpc, header('authorization')),
        header,
        signal: controller.signal,
      };
      const input = this.decodeRequest(route, pathVariables, url.searchParams, request.body);
      if (route.serverStreaming) {
        await this.stream(route, input, context, reply, handled);
      } else {
        const response = await (route.handler as UnaryHandler<unknown, unknown>)(input, context);
        const json = this.encodeResponse(route.output, route.definition.responseSerialize(response));
        handled(grpcStatus.OK);
        await reply.status(200).header('content-type', 'application/json').send(JSON.stringify(json));
      }
    } catch (error) {
      const failure = toPublicError(error);
      handled(failure.grpcStatus);
      logFailure(this.options.logger, rpc, failure, error);
      httpStatus = failure.httpStatus;
      if (httpStatus >= 500) fault = failure.message;
      if (reply.sent) return;
      if (failure.retryAfterSeconds !== undefined) reply.header('retry-after', String(failure.retryAfterSeconds));
      await reply.status(failure.httpStatus).send(this.errorDetails.json(failure));
    } finally {
      span.setAttributes({ 'http.response.status_code': httpStatus });
      span.end(fault);
      this.options.logger.debug({ status: httpStatus }, 'call handled');
    }
  }

  /** Server streaming as server-sent events: one `data:` line of JSON per message. */
  private async stream(
    route: BoundRoute,
    input: unknown,
    context: CallContext,
    reply: FastifyReply,
    handled: (code: number) => void,
  ): Promise<void> {
    let started = false;
    const send = async (response: unknown) => {
      if (!started) {
        started = true;
        reply.hijack();
        reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      }
      const json = this.encodeResponse(route.output, route.definition.responseSerialize(response));
      if (!reply.raw.write(`data: ${JSON.stringify(json)}\n\n`)) {
        await new Promise((resolve) => reply.raw.once('drain', resolve));
      }
    };
    try {
      await (route.handler as StreamHandler<unknown, unknown>)(input, context, send);
      handled(grpcStatus.OK);
    } catch (error) {
      if (!started) throw error;
      const failure = toPublicError(error);
      handled(failure.grpcStatus);
      logFailure(this.options.logger, route.method, failure, error);
      reply.raw.write(`event: error\ndata: ${JSON.stringify(this.errorDetails.json(failure))}\n\n`);
    }
    if (started) reply.raw.end();
  }

  /** undefined: no such path; null: the path exists but not for this method. */
  private find(method: string, path: string): { route: BoundRoute; pathVariables: Record<string, string> } | null | undefined {
    let pathExists = false;
    for (const route of this.routes) {
      const pathVariables = matchPathTemplate(route.path, path);
      if (!pathVariables) continue;
      if (route.httpMethod === method) return { route, pathVariables };
      pathExists = true;
    }
    return pathExists ? null : undefined;
  }

  private decodeRequest(route: BoundRoute, pathVariables: Record<string, string>, query: URLSearchParams, rawBody: unknown): unknown {
    let json: JsonObject = {};
    if (route.body !== '') {
      const text = typeof rawBody === 'string' ? rawBody.trim() : '';
      let parsed: JsonValue = {};
      if (text !== '') {
        try {
          parsed = JSON.parse(text) as JsonValue;
        } catch {
          throw new InvalidRequestError('body', 'is not valid JSON');
        }
      }
      if (route.body === '*') {
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          throw new InvalidRequestError('body', 'must be a JSON object');
        }
        json = parsed;
      } else {
        json[route.body] = parsed;
      }
    } else {
      for (const [name, value] of query) setField(json, route.input, name, value);
    }
    for (const [name, value] of Object.entries(pathVariables)) setField(json, route.input, name, value);
    let message;
    try {
      message = fromJson(route.input, json, { registry: this.registry });
    } catch (error) {
      throw new InvalidRequestError(fieldFromJsonError(error), jsonErrorText(error));
    }
    const unsafeField = unsafeIntegerField(route.input, message);
    if (unsafeField) throw unsafeIntegerError(unsafeField);
    return route.definition.requestDeserialize(Buffer.from(toBinary(route.input, message)));
  }

  private encodeResponse(output: DescMessage, bytes: Buffer): JsonValue {
    return toJson(output, fromBinary(output, bytes), { registry: this.registry });
  }
}

function bindRoutes(registry: FileRegistry, services: ServiceBinding[]): BoundRoute[] {
  const bound: BoundRoute[] = [];
  for (const route of httpRoutes(
    registry,
    services.map((service) => service.name),
  )) {
    const service = services.find((candidate) => candidate.name === route.service)!;
    const key = Object.keys(service.definition).find((name) => service.definition[name]!.path === route.grpcPath);
    const handler = key === undefined ? undefined : service.handlers[key];
    if (key === undefined || !handler) throw new Error(`no handler for ${route.grpcPath}`);
    bound.push({ ...route, definition: service.definition[key]!, handler });
  }
  return bound;
}

/** Query and path values are strings; give JSON the types the proto3 mapping expects. */
function setField(json: JsonObject, message: DescMessage, dottedName: string, value: string): void {
  const names = dottedName.split('.');
  let target = json;
  let descriptor: DescMessage | undefined = message;
  for (const [index, name] of names.entries()) {
    const field: DescField | undefined = descriptor?.fields.find((candidate) => candidate.name === name || candidate.jsonName === name);
    if (!field) throw new InvalidRequestError(dottedName, 'is not a field of this request');
    const key = field.jsonName;
    if (index === names.length - 1) {
      const typed = field.fieldKind === 'scalar' && field.scalar === ScalarType.BOOL ? value === 'true' : value;
      if (field.fieldKind === 'list') {
        const list = (target[key] as JsonValue[] | undefined) ?? [];
        list.push(typed);
        target[key] = list;
      } else {
        target[key] = typed;
      }
      return;
    }
    if (field.fieldKind !== 'message') throw new InvalidRequestError(dottedName, 'is not a field of this request');
    descriptor = field.message;
    target = (target[key] ??= {}) as JsonObject;
  }
}

function jsonErrorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^cannot decode (message|field) [\w.]+ from JSON: /, '');
}

/** protobuf-es names the field in its message; surface it so clients know what to fix. */
function fieldFromJsonError(error: unknown): string {
  const text = error instanceof Error ? error.message : '';
  const field = /cannot decode field [\w.]+\.(\w+) from JSON/.exec(text) ?? /key "([^"]+)" is unknown/.exec(text);
  return field?.[1] ?? 'body';
}
