/**
 * Creates what the deployment needs and its manifests must not hold: NATS keys, certificates, the
 * key set tokens are checked against, and order's token for payment. See `--help`.
 */
import { authorizationBlock, createUserNkey, serviceIdentities, type ServiceIdentity } from '@fooddelivery/stack/nats-access';
import { displayPath, repoRoot } from '@fooddelivery/stack/paths';
import { devAudience, devIssuer, devToken } from '@fooddelivery/stack/tokens';
import { calculateJwkThumbprint, decodeJwt, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK } from 'jose';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const usage = `usage: node --import tsx deploy/make-secrets.ts [options] [DIR]

Creates the keys, certificates and token of a deployment, which the manifests do not hold.

Kubernetes (default): writes into DIR (default .data/k8s-secrets; never inside k8s/) one Secret
manifest per file, each mode 0600, to apply before k8s/ (k8s/README.md, "Secrets"):
  kubectl apply -f DIR
  nats-service-keys              the services' public nkeys (ORDER_NKEY, ...) for the NATS servers
  <service>-nats-seed            each service's nkey seed (seed.nk)
  nats-cluster-tls               the NATS servers' certificate for their routes, and its CA
  <service>-grpc-tls             each service's certificate for mutual TLS on gRPC, and the CA
  envoy-upstream-tls             Envoy's client certificate for the services, and the same CA
  envoy-tls                      Envoy's public certificate: self-signed for --public-host, to try
                                 the deployment out; replace it with a real one
  fooddelivery-jwks              the public key set tokens are checked against (jwks.json)
  order-payment-token            order's token for payment (role service, sub order, 24 hours)
and, not a Secret, jwt-signing-key.pem: the private key of that key set, to sign tokens with
as the issuer --issuer until your identity provider does.

--compose: writes into DIR (default .data/compose) the files docker-compose.yml mounts: a directory
per service (seed.nk, tls.crt, tls.key, ca.crt; order also payment-token), nats/authorization.conf
with the services' public keys, envoy/tls/ and envoy/upstream-tls/. Tokens are signed with the
development key (envoy/dev-keys, issuer fooddelivery-dev); nats/ops.url is a NATS URL with every
permission, for tools (NATS_OPS_URL). The directory is 0700; the files in it are readable by any
user, as the containers' user must read them.
--compose --production: the same for docker-compose.production.yml, with a new key set (jwks.json)
and jwt-signing-key.pem as for Kubernetes, and no NATS user for tools.

When DIR already holds a set, only order's token is renewed (signed as the previous one was, with
the same issuer and audience), so that running this again before the token expires keeps
everything working. For new keys, give a new directory.

options:
  --issuer URL        the tokens' issuer (iss); default: AUTH_ISSUER of k8s/config.yaml
  --audience NAME     the tokens' audience (aud); default: fooddelivery
  --namespace NAME    the Secrets' namespace, and the services' DNS names; default: fooddelivery
  --public-host NAME  the name in envoy-tls's certificate; default: localhost
  --compose           files for docker compose instead of Secret manifests
  --production        with --compose: a new key set instead of the development one
  -h, --help          this text
`;

const tokenLifetimeSeconds = 24 * 3600;
const certificateDays = 365;
const caDays = 730;

interface Options {
  dir: string;
  issuer: string;
  audience: string;
  namespace: string;
  publicHost: string;
  compose: boolean;
  production: boolean;
}

function options(): Options {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      issuer: { type: 'string' },
      audience: { type: 'string', default: devAudience },
      namespace: { type: 'string', default: 'fooddelivery' },
      'public-host': { type: 'string', default: 'localhost' },
      compose: { type: 'boolean', default: false },
      production: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const fail = (message: string): never => {
    process.stderr.write(`make-secrets: ${message} (--help explains)\n`);
    process.exit(2);
  };
  if (positionals.length > 1) fail('one directory at most');
  if (values.production && !values.compose) fail('--production goes with --compose (Kubernetes always gets a new key set)');
  const development = values.compose && !values.production;
  if (development && values.issuer !== undefined)
    fail('--issuer needs --production with --compose (development tokens have the development issuer)');
  const dir = positionals[0] ? resolve(positionals[0]) : join(repoRoot, '.data', values.compose ? 'compose' : 'k8s-secrets');
  const fromManifests = relative(join(repoRoot, 'k8s'), dir);
  if (!fromManifests.startsWith('..') && !fromManifests.startsWith('/'))
    fail(`${displayPath(dir)} is inside k8s/: the manifests must not hold secrets`);
  return {
    dir,
    issuer: development ? devIssuer : (values.issuer ?? configuredIssuer()),
    audience: values.audience,
    namespace: values.namespace,
    publicHost: values['public-host'],
    compose: values.compose,
    production: values.production,
  };
}

/** The issuer the manifests name (AUTH_ISSUER in k8s/config.yaml), the default for new tokens. */
function configuredIssuer(): string {
  const match = /^\s*AUTH_ISSUER:\s*['"]?([^'"\s#]+)/m.exec(readFileSync(join(repoRoot, 'k8s', 'config.yaml'), 'utf8'));
  if (!match?.[1]) throw new Error('k8s/config.yaml names no AUTH_ISSUER: give --issuer');
  return match[1];
}

// --- keys and certificates --------------------------------------------------------------------

interface NatsKey {
  seed: string;
  publicKey: string;
}

function natsKey(): NatsKey {
  return createUserNkey();
}

interface Certificate {
  cert: string;
  key: string;
}

interface Authority extends Certificate {
  file: { cert: string; key: string };
}

/** X.509 through the openssl binary, in a scratch directory removed by `close`. */
class Openssl {
  private readonly dir = mkdtempSync(join(tmpdir(), 'make-secrets-'));
  private count = 0;

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  authority(commonName: string): Authority {
    const file = this.files();
    this.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file.key]);
    const config = this.config(commonName, [
      'basicConstraints = critical, CA:TRUE, pathlen:0',
      'keyUsage = critical, keyCertSign, cRLSign',
    ]);
    this.run([
      'req',
      '-x509',
      '-new',
      '-key',
      file.key,
      '-config',
      config,
      '-extensions',
      'ext',
      '-days',
      String(caDays),
      '-out',
      file.cert,
    ]);
    return { ...this.read(file), file };
  }

  /** A certificate for `names` (DNS), signed by `ca`, or self-signed without one. */
  issue(commonName: string, names: string[], usage: string, ca?: Authority): Certificate {
    const file = this.files();
    this.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file.key]);
    const config = this.config(commonName, [
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature',
      `extendedKeyUsage = ${usage}`,
      `subjectAltName = ${names.map((name) => `DNS:${name}`).join(', ')}`,
      ...(ca ? ['authorityKeyIdentifier = keyid'] : []),
    ]);
    const signer = ca ? ['-CA', ca.file.cert, '-CAkey', ca.file.key] : [];
    this.run([
      'req',
      '-x509',
      '-new',
      '-key',
      file.key,
      ...signer,
      '-config',
      config,
      '-extensions',
      'ext',
      '-days',
      String(certificateDays),
      '-out',
      file.cert,
    ]);
    return this.read(file);
  }

  private files(): { cert: string; key: string } {
    this.count += 1;
    return { cert: join(this.dir, `${this.count}.crt`), key: join(this.dir, `${this.count}.key`) };
  }

  private read(file: { cert: string; key: string }): Certificate {
    return { cert: readFileSync(file.cert, 'utf8'), key: readFileSync(file.key, 'utf8') };
  }

  private config(commonName: string, extensions: string[]): string {
    const file = join(this.dir, `${this.count}.cnf`);
    const lines = [
      '[req]',
      'distinguished_name = dn',
      'prompt = no',
      '[dn]',
      `CN = ${commonName}`,
      '[ext]',
      ...extensions,
      'subjectKeyIdentifier = hash',
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  private run(args: string[]): void {
    const result = spawnSync('openssl', args, { encoding: 'utf8' });
    if (result.error) throw new Error(`openssl could not run (${result.error.message}): install it (e.g. apt-get install openssl)`);
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr.trim()}`);
  }
}

/** The names a Service is reached by in the cluster (and as a compose service). */
function serviceNames(name: string, namespace: string): string[] {
  return [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];
}

interface Pki {
  ca: Authority;
  services: Record<ServiceIdentity, Certificate>;
  envoyUpstream: Certificate;
  envoyPublic: Certificate;
}

function pki(openssl: Openssl, options: Options): Pki {
  const ca = openssl.authority('fooddelivery services CA');
  const services = Object.fromEntries(
    serviceIdentities.map((service) => [
      service,
      openssl.issue(service, serviceNames(service, options.namespace), 'serverAuth, clientAuth', ca),
    ]),
  ) as Record<ServiceIdentity, Certificate>;
  return {
    ca,
    services,
    envoyUpstream: openssl.issue('envoy', ['envoy'], 'clientAuth', ca),
    envoyPublic: openssl.issue(options.publicHost, [options.publicHost], 'serverAuth'),
  };
}

/** The NATS servers' certificate for their routes (nats-0.nats-headless, ...), from a CA of its own. */
function natsCluster(openssl: Openssl, namespace: string): Certificate & { ca: string } {
  const ca = openssl.authority('fooddelivery NATS cluster CA');
  const names = serviceNames('nats-headless', namespace).map((name) => `*.${name}`);
  return { ...openssl.issue('nats', names, 'serverAuth, clientAuth', ca), ca: ca.cert };
}

// --- tokens -----------------------------------------------------------------------------------

interface SigningKey {
  jwks: { keys: JWK[] };
  privateKeyPem: string;
}

async function signingKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { jwks: { keys: [{ ...jwk, kid, alg: 'ES256', use: 'sig' }] }, privateKeyPem: await exportPKCS8(privateKey) };
}

/** Order's token for payment: role service, sub order, valid 24 hours (the services' maximum). */
async function paymentToken(privateKeyPem: string, issuer: string, audience: string): Promise<string> {
  const kid = await kidOf(privateKeyPem);
  return devToken('service', 'order', { privateKeyPem, kid, issuer, audience, expiresIn: `${tokenLifetimeSeconds}s` });
}

/** The key id the key set gives the key: the thumbprint of its public part. */
async function kidOf(privateKeyPem: string): Promise<string> {
  const extractable = await importPKCS8(privateKeyPem, 'ES256', { extractable: true });
  const { kty, crv, x, y } = await exportJWK(extractable);
  return calculateJwkThumbprint({ kty: kty!, crv: crv!, x: x!, y: y! });
}

async function developmentPaymentToken(): Promise<string> {
  return devToken('service', 'order', { expiresIn: `${tokenLifetimeSeconds}s` });
}

// --- output -----------------------------------------------------------------------------------

function writeSecretFile(file: string, content: string, mode = 0o600): void {
  mkdirSync(dirname(file), { recursive: true });
  const next = `${file}.next`;
  writeFileSync(next, content, { mode });
  chmodSync(next, mode);
  renameSync(next, file);
}

function secretManifest(name: string, namespace: string, data: Record<string, string>, type = 'Opaque'): string {
  const lines = [
    '# Created by deploy/make-secrets.ts (k8s/README.md, "Secrets"): keep it out of version control.',
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    '  labels:',
    '    app.kubernetes.io/part-of: fooddelivery',
    `type: ${type}`,
    'data:',
    ...Object.entries(data).map(([key, value]) => `  ${key}: ${Buffer.from(value).toString('base64')}`),
  ];
  return `${lines.join('\n')}\n`;
}

const nkeyVariable = (service: ServiceIdentity) => `${service.toUpperCase()}_NKEY`;

async function kubernetes(options: Options): Promise<string[]> {
  const { dir, namespace } = options;
  const signingKeyFile = join(dir, 'jwt-signing-key.pem');
  const tokenFile = join(dir, 'order-payment-token.yaml');
  const write = (name: string, data: Record<string, string>, type?: string) => {
    writeSecretFile(join(dir, `${name}.yaml`), secretManifest(name, namespace, data, type));
    return `${name}.yaml`;
  };

  if (existsSync(signingKeyFile) && existsSync(tokenFile)) {
    const previous = /^\s+token:\s*(\S+)/m.exec(readFileSync(tokenFile, 'utf8'))?.[1];
    const claims = previous ? decodeJwt(Buffer.from(previous, 'base64').toString()) : {};
    const issuer = typeof claims.iss === 'string' ? claims.iss : options.issuer;
    const audience = typeof claims.aud === 'string' ? claims.aud : options.audience;
    const token = await paymentToken(readFileSync(signingKeyFile, 'utf8'), issuer, audience);
    return [write('order-payment-token', { token })];
  }

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const written: string[] = [];
  const keys = Object.fromEntries(serviceIdentities.map((service) => [service, natsKey()])) as Record<ServiceIdentity, NatsKey>;
  written.push(
    write('nats-service-keys', Object.fromEntries(serviceIdentities.map((service) => [nkeyVariable(service), keys[service].publicKey]))),
  );
  for (const service of serviceIdentities) written.push(write(`${service}-nats-seed`, { 'seed.nk': keys[service].seed }));

  const openssl = new Openssl();
  try {
    const cluster = natsCluster(openssl, namespace);
    written.push(write('nats-cluster-tls', { 'ca.crt': cluster.ca, 'tls.crt': cluster.cert, 'tls.key': cluster.key }, 'kubernetes.io/tls'));
    const certificates = pki(openssl, options);
    for (const service of serviceIdentities) {
      const { cert, key } = certificates.services[service];
      written.push(write(`${service}-grpc-tls`, { 'ca.crt': certificates.ca.cert, 'tls.crt': cert, 'tls.key': key }, 'kubernetes.io/tls'));
    }
    const upstream = certificates.envoyUpstream;
    written.push(
      write(
        'envoy-upstream-tls',
        { 'ca.crt': certificates.ca.cert, 'tls.crt': upstream.cert, 'tls.key': upstream.key },
        'kubernetes.io/tls',
      ),
    );
    written.push(
      write('envoy-tls', { 'tls.crt': certificates.envoyPublic.cert, 'tls.key': certificates.envoyPublic.key }, 'kubernetes.io/tls'),
    );
  } finally {
    openssl.close();
  }

  const signing = await signingKey();
  written.push(write('fooddelivery-jwks', { 'jwks.json': `${JSON.stringify(signing.jwks, null, 2)}\n` }));
  writeSecretFile(signingKeyFile, signing.privateKeyPem);
  written.push("jwt-signing-key.pem (not a Secret: the issuer's private key)");
  written.push(write('order-payment-token', { token: await paymentToken(signing.privateKeyPem, options.issuer, options.audience) }));
  return written;
}

async function compose(options: Options): Promise<string[]> {
  const { dir } = options;
  const readable = 0o644;
  const authorizationFile = join(dir, 'nats', 'authorization.conf');
  const signingKeyFile = join(dir, 'jwt-signing-key.pem');
  const tokenFile = join(dir, 'order', 'payment-token');
  const token = async (issuer: string, audience: string) =>
    options.production ? paymentToken(readFileSync(signingKeyFile, 'utf8'), issuer, audience) : developmentPaymentToken();

  if (existsSync(authorizationFile) && existsSync(tokenFile)) {
    const claims = decodeJwt(readFileSync(tokenFile, 'utf8').trim());
    if (options.production !== (claims.iss !== devIssuer)) {
      throw new Error(`${displayPath(dir)} holds a ${options.production ? 'development' : 'production'} set: give another directory`);
    }
    const issuer = typeof claims.iss === 'string' ? claims.iss : options.issuer;
    const audience = typeof claims.aud === 'string' ? claims.aud : options.audience;
    writeSecretFile(tokenFile, await token(issuer, audience), readable);
    return ['order/payment-token'];
  }

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const written: string[] = [];
  const put = (name: string, content: string, mode = readable) => {
    const file = join(dir, name);
    mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
    writeSecretFile(file, content, mode);
    written.push(name);
  };

  const keys = Object.fromEntries(serviceIdentities.map((service) => [service, natsKey()])) as Record<ServiceIdentity, NatsKey>;
  const ops = options.production ? undefined : { user: 'ops', password: randomBytes(18).toString('base64url') };
  put(
    'nats/authorization.conf',
    authorizationBlock((service) => keys[service].publicKey, ops),
  );
  if (ops) put('nats/ops.url', `nats://${ops.user}:${ops.password}@127.0.0.1:4222\n`, 0o600);

  const openssl = new Openssl();
  try {
    const certificates = pki(openssl, options);
    for (const service of serviceIdentities) {
      put(`${service}/seed.nk`, keys[service].seed);
      put(`${service}/ca.crt`, certificates.ca.cert);
      put(`${service}/tls.crt`, certificates.services[service].cert);
      put(`${service}/tls.key`, certificates.services[service].key);
    }
    put('envoy/upstream-tls/ca.crt', certificates.ca.cert);
    put('envoy/upstream-tls/tls.crt', certificates.envoyUpstream.cert);
    put('envoy/upstream-tls/tls.key', certificates.envoyUpstream.key);
    put('envoy/tls/tls.crt', certificates.envoyPublic.cert);
    put('envoy/tls/tls.key', certificates.envoyPublic.key);
  } finally {
    openssl.close();
  }

  if (options.production) {
    const signing = await signingKey();
    put('jwks.json', `${JSON.stringify(signing.jwks, null, 2)}\n`);
    put('jwt-signing-key.pem', signing.privateKeyPem, 0o600);
  }
  put('order/payment-token', await token(options.issuer, options.audience));
  return written;
}

const opts = options();
try {
  const written = await (opts.compose ? compose(opts) : kubernetes(opts));
  const where = displayPath(opts.dir);
  process.stdout.write(`${written.length === 1 ? 'renewed' : 'wrote'} in ${where}:\n${written.map((file) => `  ${file}\n`).join('')}`);
  if (!opts.compose) process.stdout.write(`apply them before k8s/: kubectl apply -f ${where}\n`);
  else if (opts.production)
    process.stdout.write(
      `then: FOODDELIVERY_SECRETS=${where} AUTH_ISSUER=${opts.issuer} docker compose -f docker-compose.yml -f docker-compose.production.yml up --build --wait\n`,
    );
  else process.stdout.write('then: docker compose up --build --wait\n');
} catch (error) {
  process.stderr.write(`make-secrets: ${(error as Error).message}\n`);
  process.exit(1);
}
