/** Inbound RPC handlers in plain async form, served alike by the gRPC and REST kits. */

import { AuthenticationError, type Principal } from './auth.js';

/** Authenticates a call to `method` (proto name, e.g. PlaceOrder) from its authorization header. */
export type Authenticate = (method: string, authorization: string | undefined) => Promise<Principal | undefined>;

export interface CallContext {
  /** The verified caller; undefined only on public methods called without a token. */
  principal: Principal | undefined;
  /** A request header (gRPC metadata or HTTP header), lower-case name. */
  header(name: string): string | undefined;
  /** Aborted when the caller goes away or its deadline passes. */
  signal: AbortSignal;
  deadline?: Date;
}

export type UnaryHandler<Req, Res> = (request: Req, context: CallContext) => Promise<Res>;

/** Server streaming: `send` each response; resolving ends the stream. */
export type StreamHandler<Req, Res> = (request: Req, context: CallContext, send: (response: Res) => Promise<void>) => Promise<void>;

/** The shape of one method in a ts-proto grpc-js service definition. */
export interface MethodDefinition<Req = unknown, Res = unknown> {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestSerialize: (value: Req) => Buffer;
  requestDeserialize: (bytes: Buffer) => Req;
  responseSerialize: (value: Res) => Buffer;
  responseDeserialize: (bytes: Buffer) => Res;
}

type RequestOf<M> = M extends { requestDeserialize(bytes: Buffer): infer R } ? R : never;
type ResponseOf<M> = M extends { responseDeserialize(bytes: Buffer): infer R } ? R : never;

/** Handlers for every method of a generated service definition, typed from it. */
export type ServiceHandlers<D> = {
  [K in keyof D]: D[K] extends { responseStream: true }
    ? StreamHandler<RequestOf<D[K]>, ResponseOf<D[K]>>
    : UnaryHandler<RequestOf<D[K]>, ResponseOf<D[K]>>;
};

/** A service's methods, whatever their request and response types (checked by bindService). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- methods of every request and response type in one record
export type ServiceDefinition = Record<string, MethodDefinition<any, any>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- handlers of every request and response type in one record
type AnyHandler = UnaryHandler<any, any> | StreamHandler<any, any>;

/** A generated service definition together with its handlers. */
export interface ServiceBinding {
  /** Full proto name, e.g. `fooddelivery.order.v1.OrderService`. */
  name: string;
  definition: ServiceDefinition;
  handlers: Record<string, AnyHandler>;
}

/** Pairs a definition with handlers whose types are checked against it. */
export function bindService<D extends ServiceDefinition>(definition: D, handlers: ServiceHandlers<D>): ServiceBinding {
  const first = Object.values(definition)[0];
  if (!first) throw new Error('service definition has no methods');
  const name = first.path.split('/')[1] ?? '';
  return {
    name,
    definition,
    handlers,
  };
}

export function methodName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The verified caller of a non-public method. */
export function caller(context: CallContext): Principal {
  if (!context.principal) throw new AuthenticationError('a bearer token is required (authorization: Bearer <token>)');
  return context.principal;
}
