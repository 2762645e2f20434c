import { InvalidRequestError } from './errors.js';

/**
 * Page tokens: where the next page starts, as opaque base64url JSON. A token this service did not
 * issue (or that was altered) is refused as INVALID_ARGUMENT naming `page_token`.
 */
export function encodePageToken(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position in `token`, if `isPosition` accepts what it holds. */
export function decodePageToken<T>(token: string, isPosition: (value: unknown) => value is T): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isPosition(value)) return value;
  } catch {
    // refused below
  }
  throw new InvalidRequestError('page_token', 'is not a token this service issued');
}
