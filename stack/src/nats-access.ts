import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { localDataDir } from './paths.js';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { connect, nkeys, type ConnectionOptions, type NatsConnection } from 'nats';

/**
 * Who may do what on NATS: one identity per service, allowed to publish only its own context's
 * events (and dead letters of its own consumers), to use only its own durable consumers and KV
 * buckets, and to create (never change) the streams it reads from if they do not exist yet.
 * Anonymous connections are refused. The local stack and the tests generate the keys at start;
 * k8s/nats/authorization.conf is generated from the same table with the public keys taken from
 * the environment (`npm run generate`; a test checks it is up to date).
 */
export type ServiceIdentity = 'order' | 'payment' | 'store' | 'notification' | 'marketing';

interface Access {
  /** Streams this service publishes to and configures. */
  owns: string[];
  publishes: string[];
  /** Durable consumers: the stream each reads, and its name. */
  consumes: Array<{ stream: string; durable: string }>;
  /** Durables of earlier versions the service deletes at start. */
  retires?: Array<{ stream: string; durable: string }>;
  kv?: string[];
}

const ORDER = 'FOODDELIVERY_ORDER';
const PAYMENT = 'FOODDELIVERY_PAYMENT';
const STORE = 'FOODDELIVERY_STORE';
const MARKETING = 'FOODDELIVERY_MARKETING';
export const DEAD_LETTERS = 'FOODDELIVERY_DEADLETTER';

export const natsAccess: Record<ServiceIdentity, Access> = {
  order: {
    owns: [ORDER],
    publishes: ['fooddelivery.order.>'],
    consumes: [{ stream: STORE, durable: 'order-follow-store' }],
    kv: ['order_leases'],
  },
  payment: {
    owns: [PAYMENT],
    publishes: ['fooddelivery.payment.>'],
    consumes: [
      { stream: ORDER, durable: 'payment-refund-cancelled-order' },
      { stream: STORE, durable: 'payment-refund-rejected-order' },
    ],
  },
  store: {
    owns: [STORE],
    publishes: ['fooddelivery.store.>'],
    consumes: [
      { stream: ORDER, durable: 'store-follow-orders' },
      { stream: PAYMENT, durable: 'store-stop-refunded-order' },
    ],
    retires: [
      { stream: PAYMENT, durable: 'store-receive-paid-order' },
      { stream: ORDER, durable: 'store-cancel-delivery' },
    ],
  },
  notification: {
    owns: [],
    publishes: [],
    consumes: [
      { stream: ORDER, durable: 'notification-track-orders' },
      { stream: PAYMENT, durable: 'notification-track-refunds' },
      { stream: STORE, durable: 'notification-track-store' },
    ],
    kv: ['notification_tracking', 'notification_messages', 'notification_pending'],
  },
  marketing: {
    owns: [MARKETING],
    publishes: ['fooddelivery.marketing.>'],
    consumes: [
      { stream: ORDER, durable: 'marketing-follow-orders' },
      { stream: STORE, durable: 'marketing-follow-stores' },
    ],
  },
};

export const serviceIdentities = Object.keys(natsAccess) as ServiceIdentity[];

/** The prefix of a service's reply subjects: nobody else may subscribe to its replies. */
export const inboxPrefix = (identity: string) => `_INBOX_${identity}`;

export function permissionsOf(identity: ServiceIdentity): { publish: string[]; subscribe: string[] } {
  const access = natsAccess[identity];
  const api = '$JS.API';
  const reads = [...new Set(access.consumes.map(({ stream }) => stream))].filter((stream) => !access.owns.includes(stream));
  const publish = [
    `${api}.INFO`,
    `${api}.STREAM.INFO.*`,
    ...access.owns.flatMap((stream) => [`${api}.STREAM.CREATE.${stream}`, `${api}.STREAM.UPDATE.${stream}`]),
    // Created if missing (a consumer may start before the publisher), never changed.
    ...[...reads, DEAD_LETTERS].map((stream) => `${api}.STREAM.CREATE.${stream}`),
    ...access.publishes,
    ...access.consumes.flatMap(({ stream, durable }) => [
      `fooddelivery.deadletter.${durable}`,
      `${api}.CONSUMER.INFO.${stream}.${durable}`,
      `${api}.CONSUMER.CREATE.${stream}.${durable}`,
      `${api}.CONSUMER.CREATE.${stream}.${durable}.>`,
      `${api}.CONSUMER.DURABLE.CREATE.${stream}.${durable}`,
      `${api}.CONSUMER.MSG.NEXT.${stream}.${durable}`,
      `$JS.ACK.${stream}.${durable}.>`,
    ]),
    // Reading one message of a stream it consumes anyway (e.g. the last OrderPlaced, to tell how far behind it is).
    ...[...new Set(access.consumes.map(({ stream }) => stream))].map((stream) => `${api}.STREAM.MSG.GET.${stream}`),
    ...(access.retires ?? []).map(({ stream, durable }) => `${api}.CONSUMER.DELETE.${stream}.${durable}`),
    ...(access.kv ?? []).flatMap((bucket) => [
      `$KV.${bucket}.>`,
      `${api}.STREAM.CREATE.KV_${bucket}`,
      `${api}.STREAM.UPDATE.KV_${bucket}`,
      `${api}.STREAM.MSG.GET.KV_${bucket}`,
      `${api}.DIRECT.GET.KV_${bucket}`,
      `${api}.DIRECT.GET.KV_${bucket}.>`,
      `${api}.CONSUMER.CREATE.KV_${bucket}`,
      `${api}.CONSUMER.CREATE.KV_${bucket}.>`,
      `${api}.CONSUMER.DELETE.KV_${bucket}.>`,
      `${api}.CONSUMER.INFO.KV_${bucket}.>`,
      `$JS.FC.KV_${bucket}.>`,
    ]),
  ];
  return { publish, subscribe: [`${inboxPrefix(identity)}.>`] };
}

/** An `authorization` block for nats.conf; `publicKey` gives each service's nkey (a literal, or a `$VARIABLE`). */
export function authorizationBlock(publicKey: (identity: ServiceIdentity) => string, ops?: { user: string; password: string }): string {
  const list = (subjects: string[]) => `[${subjects.map((subject) => JSON.stringify(subject)).join(', ')}]`;
  const users = serviceIdentities.map((identity) => {
    const { publish, subscribe } = permissionsOf(identity);
    return `    # ${identity}\n    { nkey: ${publicKey(identity)}, permissions: { publish: { allow: ${list(publish)} }, subscribe: { allow: ${list(subscribe)} } } }`;
  });
  if (ops)
    users.push(
      `    # tooling and tests (development only): everything\n    { user: ${JSON.stringify(ops.user)}, password: ${JSON.stringify(ops.password)} }`,
    );
  return `authorization {\n  users: [\n${users.join('\n')}\n  ]\n}\n`;
}

/** Where `npm start` leaves the operator's NATS URL for the tools (replay-dead-letters, races). */
export const opsUrlFile = join(localDataDir, 'nats-identities', 'ops.url');

/** The operator's URL of the running `npm start`, if there is one. */
export function localOpsUrl(): string | undefined {
  return existsSync(opsUrlFile) ? readFileSync(opsUrlFile, 'utf8').trim() : undefined;
}

export interface NatsIdentities {
  /** Seed files (mode 0600), one per service: NATS_NKEY_SEED_FILE. */
  seedFiles: Record<ServiceIdentity, string>;
  publicKeys: Record<ServiceIdentity, string>;
  /** A user with every permission, for tooling and tests; never deployed. */
  ops: { user: string; password: string };
}

/** A new user nkey: its seed (secret, for the client) and public key (for the server's authorization). */
export function createUserNkey(): { seed: string; publicKey: string } {
  // nats re-exports nkeys.js without its types.
  const user = (nkeys as { createUser(): { getSeed(): Uint8Array; getPublicKey(): string } }).createUser();
  return { seed: new TextDecoder().decode(user.getSeed()), publicKey: user.getPublicKey() };
}

/** New keys for every service and a new operator password, written under `dir`. */
export function createIdentities(dir: string): NatsIdentities {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const seedFiles = {} as Record<ServiceIdentity, string>;
  const publicKeys = {} as Record<ServiceIdentity, string>;
  for (const identity of serviceIdentities) {
    const user = createUserNkey();
    const file = join(dir, `${identity}.nk`);
    writeFileSync(file, user.seed, { mode: 0o600 });
    chmodSync(file, 0o600);
    seedFiles[identity] = file;
    publicKeys[identity] = user.publicKey;
  }
  return { seedFiles, publicKeys, ops: { user: 'ops', password: randomBytes(18).toString('base64url') } };
}

/**
 * Connects to `url`, which may carry a user and password (`nats://user:password@host:port`), as
 * the operator's URL does; the NATS client does not read credentials from a URL by itself.
 */
export function connectTo(url: string, options: Omit<ConnectionOptions, 'servers' | 'user' | 'pass'> = {}): Promise<NatsConnection> {
  const parsed = new URL(url);
  const credentials = parsed.username ? { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) } : {};
  parsed.username = '';
  parsed.password = '';
  return connect({ ...options, ...credentials, servers: parsed.toString().replace(/\/$/, '') });
}
