import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet } from 'jose';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CodedError } from './errors.js';

import type { Actor, Role } from '@fooddelivery/kernel/actor';

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
  /** Signature algorithms accepted (never "none", never one the key set does not name). */
  algorithms: string[];
  /** The longest a token may be valid, from its issue (iat) to its expiry (exp). */
  maxLifetimeSeconds: number;
  /** How far in the future an issue time (iat) may be: clocks are not perfectly in step. */
  clockSkewSeconds: number;
}

/** The issuer of the development tokens (`npm run token`, envoy/dev-keys). */
export const DEVELOPMENT_ISSUER = 'fooddelivery-dev';

/**
 * RFC 7638 thumbprints of the development signing keys, whose private halves are committed in
 * envoy/dev-keys: a key set holding one of them is for development only.
 */
const developmentKeyThumbprints = new Set(['maoM7CK9Oax6sq5iqOM57Aa1ugP0gY5kfMx6-RiDN4k']);

export function containsDevelopmentKey(jwks: JSONWebKeySet): boolean {
  return jwks.keys.some((key) => key.kty === 'EC' && developmentKeyThumbprints.has(ecThumbprint(key)));
}

/** RFC 7638 thumbprint of an EC public key: SHA-256 of its required members in lexicographic order. */
function ecThumbprint(key: JSONWebKeySet['keys'][number]): string {
  const canonical = JSON.stringify({ crv: key.crv, kty: key.kty, x: key.x, y: key.y });
  return createHash('sha256').update(canonical).digest('base64url');
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
      ({ payload } = await jwtVerify(match[1]!, this.keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: this.settings.algorithms,
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance: this.settings.clockSkewSeconds,
      }));
    } catch (error) {
      throw new AuthenticationError(describe(error));
    }
    const now = Math.floor(Date.now() / 1000);
    if (payload.iat! > now + this.settings.clockSkewSeconds) throw new AuthenticationError('the token is issued in the future');
    if (payload.exp! - payload.iat! > this.settings.maxLifetimeSeconds) {
      throw new AuthenticationError(`the token is valid for longer than ${this.settings.maxLifetimeSeconds} s`);
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
  if (error instanceof errors.JWTClaimValidationFailed && error.reason === 'missing') return `the token has no ${error.claim} claim`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm not accepted here';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's ${error.claim} claim is not accepted here`;
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return 'the token is not signed by a trusted key';
  }
  return 'the token is not a valid JWT';
}
