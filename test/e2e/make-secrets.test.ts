/*
 * deploy/make-secrets.ts creates what k8s/ and docker-compose.yml mount but must not hold: every
 * Secret a manifest names is either committed (passwords to replace) or made by it, none of what
 * it makes is a development key, and order's token is the short-lived, scoped one payment accepts.
 */
import { containsDevelopmentKey, DEVELOPMENT_ISSUER } from '@fooddelivery/adapters/auth';
import { repoRoot } from '@fooddelivery/stack/paths';
import { expect } from 'chai';
import { parse, parseAllDocuments } from 'yaml';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface SecretManifest {
  kind: string;
  metadata: { name: string; namespace: string };
  stringData?: Record<string, string>;
  data?: Record<string, string>;
}

function makeSecrets(...args: string[]): string {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'deploy/make-secrets.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
  expect(result.status, result.stderr).to.equal(0);
  return result.stdout;
}

function valuesOf(secret: SecretManifest): Record<string, string> {
  const decoded = Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
  );
  return { ...decoded, ...secret.stringData };
}

/** The Secrets the manifests of k8s/ mount or read, and those they define themselves. */
function secretsOfManifests(): { used: Set<string>; committed: Set<string> } {
  const used = new Set<string>();
  const committed = new Set<string>();
  for (const file of readdirSync(join(repoRoot, 'k8s')).filter((name) => name.endsWith('.yaml'))) {
    const text = readFileSync(join(repoRoot, 'k8s', file), 'utf8');
    for (const match of text.matchAll(/secretName: ([a-z0-9-]+)/g)) used.add(match[1]!);
    for (const match of text.matchAll(/(?:secretRef|secretKeyRef):\s*\n\s*name: ([a-z0-9-]+)/g)) used.add(match[1]!);
    const documents = parseAllDocuments(text).map((document) => document.toJS() as { kind?: string; metadata?: { name: string } } | null);
    for (const document of documents) {
      if (document?.kind === 'Secret') committed.add(document.metadata!.name);
    }
  }
  return { used, committed };
}

describe('deploy/make-secrets.ts: the keys, certificates and token a deployment needs', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'make-secrets-test-'));
    dirs.push(dir);
    return join(dir, 'out');
  };
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  describe('for Kubernetes', () => {
    let dir: string;
    let secrets: Map<string, SecretManifest>;
    before(() => {
      dir = tempDir();
      makeSecrets('--issuer', 'https://id.example.test/', dir);
      secrets = new Map();
      for (const file of readdirSync(dir).filter((name) => name.endsWith('.yaml'))) {
        const secret = parse(readFileSync(join(dir, file), 'utf8')) as SecretManifest;
        secrets.set(secret.metadata.name, secret);
        expect(statSync(join(dir, file)).mode & 0o777, file).to.equal(0o600);
      }
    });

    it('makes every Secret the manifests use that they do not define, in their namespace', () => {
      const { used, committed } = secretsOfManifests();
      const missing = [...used].filter((name) => !committed.has(name) && !secrets.has(name));
      expect(missing).to.deep.equal([]);
      for (const secret of secrets.values()) expect(secret.metadata.namespace).to.equal('fooddelivery');
    });

    it('gives a new key set, never the development one, and a token for order alone, valid 24 hours', async () => {
      const jwks = JSON.parse(valuesOf(secrets.get('fooddelivery-jwks')!)['jwks.json']!) as JSONWebKeySet;
      expect(containsDevelopmentKey(jwks)).to.equal(false);
      const token = valuesOf(secrets.get('order-payment-token')!)['token']!;
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: 'https://id.example.test/', audience: 'fooddelivery' });
      expect(payload).to.include({ sub: 'order', role: 'service' });
      expect(payload.exp! - payload.iat!).to.equal(24 * 3600);
    });

    it('gives each service its own nkey, whose public half the NATS servers get', () => {
      const publicKeys = valuesOf(secrets.get('nats-service-keys')!);
      for (const service of ['order', 'payment', 'store', 'notification', 'marketing']) {
        const seed = valuesOf(secrets.get(`${service}-nats-seed`)!)['seed.nk']!;
        expect(seed, service).to.match(/^SU[A-Z2-7]+$/);
        expect(publicKeys[`${service.toUpperCase()}_NKEY`], service).to.match(/^U[A-Z2-7]{55}$/);
      }
    });

    it('run again on the same directory, renews only the token', () => {
      const before = readFileSync(join(dir, 'fooddelivery-jwks.yaml'), 'utf8');
      const seed = readFileSync(join(dir, 'order-nats-seed.yaml'), 'utf8');
      const oldToken = valuesOf(secrets.get('order-payment-token')!)['token']!;
      makeSecrets('--issuer', 'https://id.example.test/', dir);
      expect(readFileSync(join(dir, 'fooddelivery-jwks.yaml'), 'utf8')).to.equal(before);
      expect(readFileSync(join(dir, 'order-nats-seed.yaml'), 'utf8')).to.equal(seed);
      const renewed = valuesOf(parse(readFileSync(join(dir, 'order-payment-token.yaml'), 'utf8')) as SecretManifest)['token']!;
      expect(renewed).to.not.equal(oldToken);
      expect(decodeJwt(renewed)).to.include({ sub: 'order', iss: 'https://id.example.test/' });
      expect(decodeJwt(renewed).iat).to.be.at.least(decodeJwt(oldToken).iat!);
    });
  });

  describe('for docker compose', () => {
    it('development: the development issuer, a token for order, a directory per service', () => {
      const dir = tempDir();
      makeSecrets('--compose', dir);
      for (const service of ['order', 'payment', 'store', 'notification', 'marketing']) {
        expect(readdirSync(join(dir, service)).sort(), service).to.include.members(['ca.crt', 'seed.nk', 'tls.crt', 'tls.key']);
      }
      expect(decodeJwt(readFileSync(join(dir, 'order', 'payment-token'), 'utf8').trim())).to.include({
        iss: DEVELOPMENT_ISSUER,
        sub: 'order',
      });
    });

    it('production: a new key set and no NATS user for tools', () => {
      const dir = tempDir();
      makeSecrets('--compose', '--production', dir);
      const jwks = JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8')) as JSONWebKeySet;
      expect(containsDevelopmentKey(jwks)).to.equal(false);
      expect(readdirSync(join(dir, 'nats'))).to.not.include('ops.url');
    });
  });
});
