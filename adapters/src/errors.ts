import type { ErrorKind } from '@fooddelivery/kernel/domain-error';
import { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * Every service's errors carry a kind (kernel's DomainError) and a stable `code` such as
 * `ORDER.NOT_FOUND`; the table below is the only place that turns kinds into gRPC and HTTP
 * statuses (the google.rpc mapping, so REST answers what Envoy's transcoder would).
 */
export type { ErrorKind } from '@fooddelivery/kernel/domain-error';

/** The shape of a coded error (kernel's DomainError, or an adapter's own). */
export interface CodedError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  /** The request field at fault, for invalid_argument. */
  readonly field?: string;
  /** Seconds after which a retry may succeed, for unavailable. */
  readonly retryAfterSeconds?: number;
}

const statusByKind: Record<ErrorKind, { grpc: GrpcStatus; http: number }> = {
  invalid_argument: { grpc: GrpcStatus.INVALID_ARGUMENT, http: 400 },
  not_found: { grpc: GrpcStatus.NOT_FOUND, http: 404 },
  already_exists: { grpc: GrpcStatus.ALREADY_EXISTS, http: 409 },
  failed_precondition: { grpc: GrpcStatus.FAILED_PRECONDITION, http: 400 },
  permission_denied: { grpc: GrpcStatus.PERMISSION_DENIED, http: 403 },
  unauthenticated: { grpc: GrpcStatus.UNAUTHENTICATED, http: 401 },
  resource_exhausted: { grpc: GrpcStatus.RESOURCE_EXHAUSTED, http: 429 },
  unavailable: { grpc: GrpcStatus.UNAVAILABLE, http: 503 },
  deadline_exceeded: { grpc: GrpcStatus.DEADLINE_EXCEEDED, http: 504 },
  unimplemented: { grpc: GrpcStatus.UNIMPLEMENTED, http: 501 },
};

export function isCodedError(error: unknown): error is CodedError {
  return (
    error instanceof Error &&
    typeof (error as Partial<CodedError>).code === 'string' &&
    typeof (error as Partial<CodedError>).kind === 'string' &&
    (error as CodedError).kind in statusByKind
  );
}

/** A failure as the outside world sees it; `reason` is the stable code (google.rpc.ErrorInfo). */
export interface PublicError {
  grpcStatus: GrpcStatus;
  httpStatus: number;
  message: string;
  reason: string;
  field?: string;
  retryAfterSeconds?: number;
  /** Set when the error was not expected: it must be logged with its stack. */
  unexpected: boolean;
}

/**
 * Whether `error` says a dependency (database, broker) cannot be reached or did not answer in
 * time, rather than that the request or the code is wrong: such failures answer UNAVAILABLE
 * with Retry-After, never INTERNAL. Drivers report them in their own ways; this is the one list.
 */
export function isDependencyOutage(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const { name, message } = current;
    const code = (current as { code?: unknown }).code;
    if (/^Mongo(ServerSelection|Network|NetworkTimeout|OperationTimeout|TopologyClosed|PoolCleared|NotConnected)Error$/.test(name))
      return true;
    if (/^(Connection|LockWaitTimeout|Deadlock|ReadOnly)Exception$/.test(name)) return true;
    // The server gave up on the operation's time limit (MongoDB: MaxTimeMSExpired; FerretDB reports it as an InternalError).
    if (code === 50 || /MaxTimeMSExpired|handleMaxTimeMSError|operation exceeded time limit|\binterrupted \(9\)/.test(message)) return true;
    if (
      typeof code === 'string' &&
      /^(SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN)|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|57P0[1-3]|08\d{3}|53300)/.test(code)
    )
      return true;
    if (/Timeout acquiring a connection|Connection terminated|database system is (starting up|shutting down)/i.test(message)) return true;
  }
  return false;
}

export function toPublicError(error: unknown): PublicError {
  if (!isCodedError(error) && isDependencyOutage(error)) {
    return {
      grpcStatus: GrpcStatus.UNAVAILABLE,
      httpStatus: 503,
      message: 'a service this call depends on is not answering right now; please try again shortly',
      reason: 'DEPENDENCY.UNAVAILABLE',
      retryAfterSeconds: 1,
      unexpected: false,
    };
  }
  if (isCodedError(error)) {
    const mapped = statusByKind[error.kind];
    return {
      grpcStatus: mapped.grpc,
      httpStatus: mapped.http,
      message: error.message,
      reason: error.code,
      ...(error.field !== undefined && { field: error.field }),
      ...(error.retryAfterSeconds !== undefined && { retryAfterSeconds: error.retryAfterSeconds }),
      unexpected: false,
    };
  }
  return {
    grpcStatus: GrpcStatus.INTERNAL,
    httpStatus: 500,
    message: 'internal error',
    reason: 'INTERNAL',
    unexpected: true,
  };
}

/** An invalid request rejected by an inbound adapter before it reaches a use case. */
export class InvalidRequestError extends Error implements CodedError {
  readonly code = 'REQUEST.INVALID_ARGUMENT';
  readonly kind = 'invalid_argument' as const;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'InvalidRequestError';
  }
}
