import { temporaryDirectory } from './temp-dirs.js';
import { startFerretDb, type FerretDb, type FerretDbOptions } from './ferretdb.js';
import { createIdentities, type NatsIdentities } from './nats-access.js';
import { startNats, type NatsServer } from './nats.js';
import { freePort } from './ports.js';
import { startService, type ServiceName, type ServiceProcess } from './service.js';
import { startServiceTokens } from './service-tokens.js';

import { join } from 'node:path';

export interface RunningService {
  name: ServiceName;
  grpc: string;
  http: string;
  env: Record<string, string>;
  process: ServiceProcess;
}

export interface TestSystem {
  dir: string;
  nats: NatsServer;
  /** Each service's NATS nkey (seed files) and the operator's user, made for this system. */
  identities: NatsIdentities;
  /** The file the order service reads its token for payment from (re-read when it changes). */
  orderPaymentTokenFile: string;
  ferretDb: FerretDb;
  services: Partial<Record<ServiceName, RunningService>>;
  service(name: ServiceName): RunningService;
  /** Starts (or starts again, on the same ports) a service, with extra environment. */
  start(name: ServiceName, env?: Record<string, string>): Promise<RunningService>;
  stop(name: ServiceName): Promise<void>;
  /** Another replica of a service, on ports of its own (or the given ones), sharing everything else. */
  startReplica(name: ServiceName, env?: Record<string, string>, ports?: { grpc: number; http: number }): Promise<RunningService>;
}

/** Real processes on free loopback ports, in a temporary directory: NATS, FerretDB, then the services asked for. */
export async function startSystem(
  names: ServiceName[],
  env: Partial<Record<ServiceName, Record<string, string>>> = {},
  options: { ferretDb?: Pick<FerretDbOptions, 'postgresqlUrl' | 'pprofPort'> } = {},
): Promise<TestSystem> {
  const dir = temporaryDirectory('fooddelivery-e2e-');
  const identities = createIdentities(join(dir, 'nats-identities'));
  const nats = await startNats({ dataDir: join(dir, 'nats'), port: await freePort(), identities });
  const ferretDb = await startFerretDb({ dataDir: join(dir, 'ferretdb'), port: await freePort(), ...options.ferretDb });
  const ports = new Map<ServiceName, { grpc: number; http: number }>();
  for (const name of ['order', 'payment', 'store', 'notification', 'marketing'] as const) {
    ports.set(name, { grpc: await freePort(), http: await freePort() });
  }
  const serviceTokens = await startServiceTokens(join(dir, 'service-tokens'));
  const address = (name: ServiceName) => `127.0.0.1:${ports.get(name)!.grpc}`;

  const system: TestSystem = {
    dir,
    nats,
    identities,
    orderPaymentTokenFile: serviceTokens.files.order,
    ferretDb,
    services: {},
    service(name) {
      const running = system.services[name];
      if (!running) throw new Error(`${name} is not running`);
      return running;
    },
    start: (name, extra = {}) => launch(name, ports.get(name)!, extra, true),
    async startReplica(name, extra = {}, ports) {
      return launch(name, ports ?? { grpc: await freePort(), http: await freePort() }, extra, false);
    },
    async stop(name) {
      await system.services[name]?.process.stop();
      delete system.services[name];
    },
  };

  async function launch(
    name: ServiceName,
    { grpc, http }: { grpc: number; http: number },
    extra: Record<string, string>,
    primary: boolean,
  ): Promise<RunningService> {
    const serviceEnv: Record<string, string> = {
      GRPC_PORT: String(grpc),
      HTTP_PORT: String(http),
      BIND_HOST: '127.0.0.1',
      NATS_URL: nats.serviceUrl,
      NATS_NKEY_SEED_FILE: identities.seedFiles[name],
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '3000',
      // Business-flow tests run without tokens; the security tests switch AUTH_MODE to jwt.
      AUTH_MODE: 'off',
      ...(name === 'order' && {
        MONGODB_URL: ferretDb.url,
        MONGODB_DATABASE: 'order',
        PAYMENT_GRPC_ADDRESS: address('payment'),
        PAYMENT_AUTH_TOKEN_FILE: serviceTokens.files.order,
      }),
      ...((name === 'payment' || name === 'store' || name === 'marketing') && { DATABASE_URL: `sqlite:${join(dir, `${name}.sqlite`)}` }),
      ...env[name],
      ...extra,
    };
    const logFile = join(dir, primary ? `${name}.log` : `${name}-${grpc}.log`);
    const process = await startService(name, { env: serviceEnv, logFile });
    const grpcAddress = `127.0.0.1:${grpc}`;
    await process.waitServing(grpcAddress, 90_000);
    const running = { name, grpc: grpcAddress, http: `http://127.0.0.1:${http}`, env: serviceEnv, process };
    if (primary) system.services[name] = running;
    return running;
  }
  for (const name of names) await system.start(name);
  return system;
}
