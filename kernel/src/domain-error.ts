/** How a failure reads to callers; the adapters turn it into a gRPC and HTTP status. */
export type ErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'already_exists'
  | 'failed_precondition'
  | 'permission_denied'
  | 'unauthenticated'
  | 'resource_exhausted'
  | 'unavailable'
  | 'deadline_exceeded'
  | 'unimplemented';

/** A failure of the business rules, with a stable `code` (e.g. `ORDER.NOT_FOUND`) for clients. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    /** The request field at fault. */
    readonly field?: string,
    /** Seconds after which trying again may succeed. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
