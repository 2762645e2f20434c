import { importPKCS8, SignJWT } from 'jose';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export type Role = 'customer' | 'store_owner' | 'admin' | 'service';

export const devIssuer = 'fooddelivery-dev';
export const devAudience = 'fooddelivery';
const devKeyFile = join(repoRoot, 'envoy', 'dev-keys', 'jwt-private.pem');

export interface TokenOptions {
  /** e.g. '12h', '-5m' for an expired token. */
  expiresIn?: string;
  issuer?: string;
  audience?: string;
  /** PEM of another PKCS#8 EC P-256 key: a forged token, or a deployment's own key (with its `kid`). */
  privateKeyPem?: string;
  kid?: string;
}

/**
 * A development token signed with the committed development key (envoy/dev-keys): `sub` is the
 * customer id for customers, the store id for store owners (also in `store_id`), a name otherwise.
 */
export async function devToken(role: Role, subject: string, options: TokenOptions = {}): Promise<string> {
  const key = await importPKCS8(options.privateKeyPem ?? readFileSync(devKeyFile, 'utf8'), 'ES256');
  return new SignJWT({ role, ...(role === 'store_owner' && { store_id: subject }) })
    .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'fooddelivery-dev-1', typ: 'JWT' })
    .setSubject(subject)
    .setIssuer(options.issuer ?? devIssuer)
    .setAudience(options.audience ?? devAudience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn?.startsWith('-') ? Math.floor(Date.now() / 1000) - 300 : (options.expiresIn ?? '12h'))
    .sign(key);
}
