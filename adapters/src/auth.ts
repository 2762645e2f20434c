import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet } from 'jose';
import { readFileSync } from 'node:fs';
import type { CodedError } from './errors.js';

import type { Actor, Role } from '@fooddelivery/kernel/actor';

export type { Role } from '@fooddelivery/kernel/actor';
const roles: readonly Role[] = ['customer', 'store_owner', 'admin', 'service'];

/** Who is calling, from a verified token. */
export type Principal = Actor;

/** When authentication is switched off (AUTH_MODE=off): every call acts as an administrator. */
export const unauthenticatedAdmin: Principal = { subject: 'anonymous', role: 'admin' };

export class AuthenticationError extends Error implements CodedError {
  readonly code = 'AUTH.UNAUTHENTICATED';
  readonly kind = 'unauthenticated' as const;
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export interface AuthSettings {
  jwks: JSONWebKeySet;
  issuer: string;
  audience: string;
}

export function loadJwks(file: string): JSONWebKeySet {
  return JSON.parse(readFileSync(file, 'utf8')) as JSONWebKeySet;
}

/** Verifies `Authorization: Bearer <JWT>` the way Envoy's jwt_authn does: signature, issuer, audience, expiry. */
export class TokenVerifier {
  private readonly keys: ReturnType<typeof createLocalJWKSet>;

  constructor(private readonly settings: AuthSettings) {
    this.keys = createLocalJWKSet(settings.jwks);
  }

  async verify(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw new AuthenticationError('a bearer token is required (authorization: Bearer <token>)');
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw new AuthenticationError('the authorization header must be "Bearer <token>"');
    let payload;
    try {
      ({ payload } = await jwtVerify(match[1]!, this.keys, { issuer: this.settings.issuer, audience: this.settings.audience }));
    } catch (error) {
      throw new AuthenticationError(describe(error));
    }
    const role = payload.role;
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new AuthenticationError('the token has no subject');
    if (typeof role !== 'string' || !roles.includes(role as Role)) throw new AuthenticationError('the token has no known role');
    const storeId = payload.store_id;
    if (role === 'store_owner' && (typeof storeId !== 'string' || storeId === '')) {
      throw new AuthenticationError('a store owner token must name its store (store_id)');
    }
    return { subject: payload.sub, role: role as Role, ...(role === 'store_owner' && { storeId: storeId as string }) };
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's ${error.claim} claim is not accepted here`;
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return 'the token is not signed by a trusted key';
  }
  return 'the token is not a valid JWT';
}
