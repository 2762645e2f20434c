import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { toPublicError, type PublicError } from './errors.js';
import { withLogContext, type LogContext, type Logger } from './logger.js';
import { addReflection } from './reflection.js';
import { ErrorDetails } from './error-details.js';
import { descriptorRegistry } from './http-routes.js';
import { guardedDeserializer, MalformedRequest } from './request-decoding.js';
import type { Metrics, RpcCall } from './metrics.js';
import { serverSpan, type HeaderReader, type RunningSpan } from './tracing.js';
import { methodName, type Authenticate, type CallContext, type ServiceBinding, type StreamHandler, type UnaryHandler } from './rpc.js';

export interface GrpcServerOptions {
  services: ServiceBinding[];
  /** FileDescriptorSet used by server reflection. */
  descriptorSet: Buffer;
  logger: Logger;
  metrics: Metrics;
  authenticate: Authenticate;
  /** Connections older than this are closed gracefully (GOAWAY) once their calls end or after a minute; 0: never. */
  maxConnectionAgeMs?: number;
}

/** A gRPC server with the standard health service and reflection, NOT_SERVING until `setServing`. */
export class GrpcServer {
  private readonly server: grpc.Server;
  private readonly health: HealthImplementation;
  private readonly serviceNames: string[];
  private readonly errorDetails: ErrorDetails;

  constructor(private readonly options: GrpcServerOptions) {
    this.server = new grpc.Server(
      options.maxConnectionAgeMs
        ? { 'grpc.max_connection_age_ms': options.maxConnectionAgeMs, 'grpc.max_connection_age_grace_ms': 60_000 }
        : {},
    );
    this.serviceNames = options.services.map((service) => service.name);
    this.health = new HealthImplementation(Object.fromEntries(['', ...this.serviceNames].map((name) => [name, 'NOT_SERVING'])));
    this.health.addToServer(this.server);
    addReflection(this.server, options.descriptorSet, [...this.serviceNames, 'grpc.health.v1.Health']);
    const registry = descriptorRegistry(options.descriptorSet);
    this.errorDetails = new ErrorDetails(registry);
    for (const service of options.services) {
      const guarded = Object.fromEntries(
        Object.entries(service.definition).map(([key, method]) => [
          key,
          { ...method, requestDeserialize: guardedDeserializer(method.requestDeserialize, registry, method.path) },
        ]),
      );
      this.server.addService(guarded, this.implement(service));
    }
  }

  /** Binds and returns the port actually bound (useful with port 0). */
  listen(host: string, port: number, credentials = grpc.ServerCredentials.createInsecure()): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.bindAsync(`${host}:${port}`, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
    });
  }

  setServing(serving: boolean): void {
    const status = serving ? 'SERVING' : 'NOT_SERVING';
    for (const name of ['', ...this.serviceNames]) this.health.setStatus(name, status);
  }

  /** Stops taking calls, lets in-flight ones finish within `graceMs`, then cancels the rest. */
  async shutdown(graceMs: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private implement(service: ServiceBinding): grpc.UntypedServiceImplementation {
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const [key, method] of Object.entries(service.definition)) {
      const handler = service.handlers[key];
      if (!handler) throw new Error(`${service.name}: no handler for ${key}`);
      const rpc = methodName(method.path);
      const call: RpcCall = { service: service.name, method: rpc, streaming: method.responseStream, transport: 'grpc' };
      implementation[key] = method.responseStream
        ? this.serverStreaming(call, handler as StreamHandler<unknown, unknown>)
        : this.unary(call, handler as UnaryHandler<unknown, unknown>);
    }
    return implementation;
  }

  private unary(rpcCall: RpcCall, handler: UnaryHandler<unknown, unknown>): grpc.handleUnaryCall<unknown, unknown> {
    const rpc = rpcCall.method;
    return (call, callback) => {
      const handled = this.options.metrics.rpcStarted(rpcCall);
      const header = metadataReader(call.metadata);
      const span = callSpan(rpcCall, header);
      // The outcome is handled inside the call's span and log context, so failures carry its orderId and trace.
      void withinCall(span, callLogContext(rpc, header), () =>
        callContext(rpc, call, header, this.options.authenticate)
          .then((context) => handler(call.request, context))
          .then(
            (response) => {
              handled(grpc.status.OK);
              this.ended(span);
              callback(null, response);
            },
            (error: unknown) => {
              const failure = this.toServiceError(rpc, error, handled);
              this.ended(span, failure);
              callback(failure);
            },
          ),
      );
    };
  }

  private serverStreaming(rpcCall: RpcCall, handler: StreamHandler<unknown, unknown>): grpc.handleServerStreamingCall<unknown, unknown> {
    const rpc = rpcCall.method;
    return (call) => {
      const handled = this.options.metrics.rpcStarted(rpcCall);
      const send = (response: unknown) =>
        new Promise<void>((resolve) => {
          if (call.write(response)) resolve();
          else call.once('drain', () => resolve());
        });
      const header = metadataReader(call.metadata);
      const span = callSpan(rpcCall, header);
      void withinCall(span, callLogContext(rpc, header), () =>
        callContext(rpc, call, header, this.options.authenticate)
          .then((context) => handler(call.request, context, send))
          .then(
            () => {
              handled(grpc.status.OK);
              this.ended(span);
              call.end();
            },
            (error: unknown) => {
              const failure = this.toServiceError(rpc, error, handled);
              this.ended(span, failure);
              call.emit('error', failure);
            },
          ),
      );
    };
  }

  /** Ends the call's span with its outcome (a server fault marks it failed); logged at debug level. */
  private ended(span: RunningSpan, error?: Partial<grpc.ServiceError>): void {
    const code = error?.code ?? grpc.status.OK;
    span.setAttributes({ 'rpc.grpc.status_code': code });
    span.end(serverFaults.has(code) ? `${grpc.status[code]}: ${error?.details ?? ''}` : undefined);
    this.options.logger.debug({ code: grpc.status[code] }, 'call handled');
  }

  private toServiceError(rpc: string, error: unknown, handled: (code: number) => void): Partial<grpc.ServiceError> {
    const failure = toPublicError(error);
    handled(failure.grpcStatus);
    logFailure(this.options.logger, rpc, failure, error);
    const metadata = new grpc.Metadata();
    metadata.set('error-reason', failure.reason);
    if (failure.field) metadata.set('error-field', failure.field);
    if (failure.retryAfterSeconds !== undefined) metadata.set('retry-after', String(failure.retryAfterSeconds));
    metadata.set('grpc-status-details-bin', Buffer.from(this.errorDetails.binary(failure)));
    return { code: failure.grpcStatus, details: failure.message, metadata };
  }
}

export function logFailure(logger: Logger, rpc: string, failure: PublicError, error: unknown): void {
  const cause = (error as { cause?: unknown }).cause;
  if (failure.unexpected) logger.error({ err: error, rpc }, 'unexpected failure');
  else if (cause !== undefined) logger.warn({ rpc, reason: failure.reason, err: cause }, failure.message);
  else if (failure.reason === 'DEPENDENCY.UNAVAILABLE') logger.warn({ rpc, reason: failure.reason, err: String(error) }, failure.message);
  else logger.info({ rpc, reason: failure.reason }, failure.message);
}

/** The server span of a call, continuing the caller's trace. */
function callSpan(call: RpcCall, header: HeaderReader): RunningSpan {
  return serverSpan(`${call.service}/${call.method}`, header, {
    'rpc.system': 'grpc',
    'rpc.service': call.service,
    'rpc.method': call.method,
  });
}

/** Runs `fn` inside the call's span and log context. */
function withinCall<T>(span: RunningSpan, log: LogContext, fn: () => T): T {
  return span.run(() => withLogContext(log, fn));
}

/** Codes that say the server failed, not the caller: they mark a call's span as failed. */
const serverFaults = new Set([
  grpc.status.UNKNOWN,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.UNIMPLEMENTED,
  grpc.status.INTERNAL,
  grpc.status.UNAVAILABLE,
  grpc.status.DATA_LOSS,
]);

function metadataReader(metadata: grpc.Metadata): HeaderReader {
  return (name) => {
    const value = metadata.get(name)[0];
    return value === undefined ? undefined : value.toString();
  };
}

/** The log fields of a call: its method, and the request id the edge (or the caller) gave it. */
export function callLogContext(rpc: string, header: HeaderReader): LogContext {
  const requestId = header('x-request-id')?.slice(0, 128);
  return requestId ? { rpc, requestId } : { rpc };
}

async function callContext(
  rpc: string,
  call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>,
  header: HeaderReader,
  authenticate: Authenticate,
): Promise<CallContext> {
  const controller = new AbortController();
  call.once('cancelled', () => controller.abort(new Error('call cancelled by the client')));
  const deadline = call.getDeadline();
  const deadlineDate = deadline instanceof Date ? deadline : Number.isFinite(deadline) && deadline > 0 ? new Date(deadline) : undefined;
  const principal = await authenticate(rpc, header('authorization'));
  if (call.request instanceof MalformedRequest) throw call.request.error;
  return {
    principal,
    header,
    signal: controller.signal,
    ...(deadlineDate && { deadline: deadlineDate }),
  };
}
