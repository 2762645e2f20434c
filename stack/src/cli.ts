/**
 * `npm start`: NATS (JetStream) and FerretDB with their data under .data/, then the five services,
 * each waited for until SERVING, then the local edge: the web app and the REST API on one address
 * (local-edge.ts, routed by envoy/envoy.yaml's route table). Ctrl-C (or SIGTERM) stops the edge and
 * the services, then the servers.
 *
 * Ports: EDGE_PORT (8080), NATS_PORT (4222), NATS_MONITOR_PORT (8222), FERRETDB_PORT (27017), and per
 * service <NAME>_GRPC_PORT / <NAME>_HTTP_PORT, e.g. ORDER_GRPC_PORT (50051) and ORDER_HTTP_PORT (8081).
 * PAYMENT_DATABASE_URL / STORE_DATABASE_URL / MARKETING_DATABASE_URL replace the default SQLite files. Anything else in the
 * environment (LOG_LEVEL, BIND_HOST, ...) reaches the services unchanged.
 * SERVICE_START_TIMEOUT_MS (60000) bounds the wait for SERVING. DATA_DIR (.data) holds data and logs.
 * With --observe (`npm run observe`) it also starts Jaeger (JAEGER_UI_PORT 16686, JAEGER_OTLP_PORT
 * 4318, JAEGER_QUERY_GRPC_PORT 16685) and has the services export their spans to it over OTLP.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFerretDb } from './ferretdb.js';
import { startJaeger } from './jaeger.js';
import { createIdentities, opsUrlFile } from './nats-access.js';
import { startLocalEdge } from './local-edge.js';
import { startNats } from './nats.js';
import { displayPath, localDataDir, toolPath } from './paths.js';
import { busyPorts, type PortClaim } from './ports.js';
import { stopAll, track } from './processes.js';
import { serviceEntry, startService, type ServiceName } from './service.js';
import { formatTable } from './table.js';
import { startServiceTokens } from './service-tokens.js';
import { buildWebIfStale, webDist } from './web-build.js';

const dataDir = localDataDir;
const logsDir = join(dataDir, 'logs');

/** A problem the user can fix; printed without a stack trace. */
class StartError extends Error {}

interface ServicePlan {
  name: ServiceName;
  grpcPort: number;
  httpPort: number;
}

const defaultPorts: Record<ServiceName, [grpc: number, http: number]> = {
  order: [50051, 8081],
  payment: [50052, 8082],
  store: [50053, 8083],
  notification: [50054, 8084],
  marketing: [50055, 8085],
};

function portFromEnv(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new StartError(`${variable} must be a port number (1-65535), got ${JSON.stringify(raw)}`);
  return port;
}

function logFile(name: string): string {
  const file = join(logsDir, `${name}.log`);
  writeFileSync(file, ''); // each start begins a fresh log
  return file;
}

let stopping = false;
let startedAnything = false;

async function main(observe: boolean): Promise<void> {
  const edgePort = portFromEnv('EDGE_PORT', 8080);
  const natsPort = portFromEnv('NATS_PORT', 4222);
  const natsMonitorPort = portFromEnv('NATS_MONITOR_PORT', 8222);
  const ferretPort = portFromEnv('FERRETDB_PORT', 27017);
  const plans: ServicePlan[] = (Object.keys(defaultPorts) as ServiceName[]).map((name) => {
    const [grpc, http] = defaultPorts[name];
    const prefix = name.toUpperCase();
    return { name, grpcPort: portFromEnv(`${prefix}_GRPC_PORT`, grpc), httpPort: portFromEnv(`${prefix}_HTTP_PORT`, http) };
  });
  const startTimeoutMs = Number(process.env.SERVICE_START_TIMEOUT_MS || 60_000);
  if (!(startTimeoutMs > 0)) throw new StartError('SERVICE_START_TIMEOUT_MS must be a number of milliseconds');
  const jaegerPorts = observe
    ? {
        ui: portFromEnv('JAEGER_UI_PORT', 16686),
        otlp: portFromEnv('JAEGER_OTLP_PORT', 4318),
        queryGrpc: portFromEnv('JAEGER_QUERY_GRPC_PORT', 16685),
      }
    : undefined;
  const bindHost = process.env.BIND_HOST;
  const host = !bindHost || bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost;

  await assertPortsFree([
    { port: edgePort, what: 'edge (app and API)', variable: 'EDGE_PORT' },
    { port: natsPort, what: 'NATS', variable: 'NATS_PORT' },
    { port: natsMonitorPort, what: 'NATS monitoring', variable: 'NATS_MONITOR_PORT' },
    { port: ferretPort, what: 'FerretDB', variable: 'FERRETDB_PORT' },
    ...plans.flatMap(({ name, grpcPort, httpPort }) => [
      { port: grpcPort, what: `${name} gRPC`, variable: `${name.toUpperCase()}_GRPC_PORT` },
      { port: httpPort, what: `${name} REST`, variable: `${name.toUpperCase()}_HTTP_PORT` },
    ]),
    ...(jaegerPorts
      ? [
          { port: jaegerPorts.ui, what: 'Jaeger UI', variable: 'JAEGER_UI_PORT' },
          { port: jaegerPorts.otlp, what: 'Jaeger OTLP', variable: 'JAEGER_OTLP_PORT' },
          { port: jaegerPorts.queryGrpc, what: 'Jaeger query gRPC', variable: 'JAEGER_QUERY_GRPC_PORT' },
        ]
      : []),
  ]);
  toolPath('nats-server');
  toolPath('ferretdb');
  if (observe) toolPath('jaeger');
  for (const { name } of plans) serviceEntry(name);
  mkdirSync(logsDir, { recursive: true });
  if (buildWebIfStale()) console.log(`Built the web app into ${displayPath(webDist)}.`);

  console.log('Starting NATS and FerretDB ...');
  startedAnything = true;
  // New keys at every start: nothing secret is kept or committed (the operator's URL is written for the tools).
  const identities = createIdentities(join(dataDir, 'nats-identities'));
  const nats = await startNats({
    dataDir: join(dataDir, 'nats'),
    port: natsPort,
    monitorPort: natsMonitorPort,
    logFile: logFile('nats'),
    identities,
  });
  writeFileSync(opsUrlFile, nats.url, { mode: 0o600 });
  const serviceTokens = await startServiceTokens(join(dataDir, 'service-tokens'));
  const ferret = await startFerretDb({ dataDir: join(dataDir, 'ferretdb'), port: ferretPort, logFile: logFile('ferretdb') });
  const jaeger = jaegerPorts
    ? await startJaeger({
        uiPort: jaegerPorts.ui,
        otlpPort: jaegerPorts.otlp,
        queryGrpcPort: jaegerPorts.queryGrpc,
        logFile: logFile('jaeger'),
      })
    : undefined;
  // Every service sends its spans to Jaeger (tracing is otherwise off: ids only, in the logs).
  const tracingEnv: Record<string, string> = jaeger
    ? { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }
    : {};

  const planOf = (name: ServiceName) => plans.find((plan) => plan.name === name);
  const grpcAddress = (name: ServiceName) => `${host}:${planOf(name)?.grpcPort}`;
  const httpPort = (name: ServiceName) => planOf(name)?.httpPort;
  const extraEnv: Record<ServiceName, Record<string, string>> = {
    order: {
      MONGODB_URL: ferret.url,
      PAYMENT_GRPC_ADDRESS: grpcAddress('payment'),
      // Payment takes approvals and refunds from the order service only: a short-lived token naming it, renewed while running.
      PAYMENT_AUTH_TOKEN_FILE: process.env.PAYMENT_AUTH_TOKEN_FILE || serviceTokens.files.order,
    },
    payment: { DATABASE_URL: process.env.PAYMENT_DATABASE_URL || `sqlite:${join(dataDir, 'payment.sqlite')}` },
    store: { DATABASE_URL: process.env.STORE_DATABASE_URL || `sqlite:${join(dataDir, 'store.sqlite')}` },
    notification: {},
    marketing: { DATABASE_URL: process.env.MARKETING_DATABASE_URL || `sqlite:${join(dataDir, 'marketing.sqlite')}` },
  };

  console.log(`Starting ${plans.map((plan) => plan.name).join(', ')} ...`);
  const services = [];
  for (const { name, grpcPort, httpPort } of plans) {
    const env = {
      GRPC_PORT: String(grpcPort),
      HTTP_PORT: String(httpPort),
      NATS_URL: nats.serviceUrl,
      NATS_NKEY_SEED_FILE: identities.seedFiles[name],
      ...tracingEnv,
      ...extraEnv[name],
    };
    services.push(await startService(name, { env, logFile: logFile(name) }));
  }
  await Promise.all(services.map((service) => service.waitServing(grpcAddress(service.name), startTimeoutMs)));

  const edge = await startLocalEdge({
    host,
    port: edgePort,
    upstreams: Object.fromEntries(plans.map(({ name, httpPort }) => [name, `http://${host}:${httpPort}`])),
    devTokens: true,
    accessLog: logFile('edge'),
  });
  track({ name: 'edge', stop: () => edge.close() });

  for (const service of services) {
    void service.exited.then((code) => {
      if (!stopping) console.error(`\n${service.name} exited unexpectedly (code ${code}): see ${displayPath(service.logFile)}`);
    });
  }

  console.log(`\nFood delivery is running (${plans.length} services SERVING).\n`);
  console.log(
    formatTable([
      ['open', `${edge.url}/`, 'the web app: sign in as a customer or a store owner'],
      ['REST API', `${edge.url}/v1/...`, 'routed by the route table of envoy/envoy.yaml'],
      ['reference', `${edge.url}/docs/`, `the API reference; the OpenAPI document is ${edge.url}/openapi.json`],
      ['sign-in', `POST ${edge.url}/dev/token`, 'development tokens: {"role": "customer", "subject": "c-1"}'],
      ['edge log', displayPath(join(logsDir, 'edge.log')), ''],
    ]),
  );
  console.log();
  console.log(
    formatTable([
      ['service', 'gRPC', 'REST', 'log'],
      ...services.map(({ name, logFile }) => [name, grpcAddress(name), `http://${host}:${httpPort(name)}`, displayPath(logFile)]),
    ]),
  );
  console.log();
  console.log(
    formatTable([
      ['server', 'URL', 'monitoring', 'log'],
      ['NATS', nats.serviceUrl, nats.monitorUrl, displayPath(nats.logFile)],
      ['FerretDB', ferret.url, '', displayPath(ferret.logFile)],
      ...(jaeger ? [['Jaeger', jaeger.otlpEndpoint, jaeger.uiUrl, displayPath(jaeger.logFile)]] : []),
    ]),
  );
  if (jaeger) {
    console.log(
      `\nTraces (of every service but marketing) go to Jaeger: \`npm run -s trace -- <trace id>\` prints one, without an id the latest; its API: ${jaeger.uiUrl}/api/traces/<trace id>`,
    );
  }
  console.log(
    `\nData: ${displayPath(dataDir)}/ (payment: ${extraEnv.payment.DATABASE_URL}, store: ${extraEnv.store.DATABASE_URL}, marketing: ${extraEnv.marketing.DATABASE_URL})`,
  );
  console.log('Calls need a token (AUTH_MODE=off disables the checks): npm run -s token -- customer c-1');
  console.log('Ctrl-C stops everything.');
}

async function assertPortsFree(claims: PortClaim[]): Promise<void> {
  for (const [index, claim] of claims.entries()) {
    const other = claims.slice(index + 1).find(({ port }) => port === claim.port);
    if (other)
      throw new StartError(`${claim.what} and ${other.what} are both set to port ${claim.port} (${claim.variable}, ${other.variable})`);
  }
  const busy = await busyPorts(claims);
  if (busy.length === 0) return;
  throw new StartError(
    [
      'These ports are already in use:',
      ...busy.map(({ port, what, variable }) => `  ${String(port).padEnd(6)} ${what.padEnd(18)} (set ${variable} to use another)`),
      'Is another `npm start` still running? Stop it, or free the ports.',
    ].join('\n'),
  );
}

async function stopEverything(): Promise<boolean> {
  stopping = true;
  try {
    await stopAll();
    return true;
  } catch (error) {
    console.error((error as Error).message);
    return false;
  }
}

// A terminal's Ctrl-C reaches npm and this process alike, and npm forwards it too: the copies of one
// Ctrl-C arrive together, so only a signal a second or more after the first forces the stop.
let firstSignalAt = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (firstSignalAt > 0 && Date.now() - firstSignalAt < 1_000) return;
    if (stopping) {
      console.error('\nStopping at once (SIGKILL).');
      process.exit(130); // children still running are killed on exit (processes.ts)
    }
    firstSignalAt = Date.now();
    console.log(`\n${signal}: stopping the services, then NATS and FerretDB ...${signal === 'SIGINT' ? ' (Ctrl-C again to force)' : ''}`);
    void stopEverything().then((clean) => {
      console.log(clean ? 'Stopped.' : 'Stopped, with errors.');
      process.exit(clean ? 0 : 1);
    });
  });
}

const usage = `usage: npm start [-- --help]
       npm run observe      (the same, with Jaeger: npm start -- --observe)

Starts the whole system locally: NATS (JetStream) and FerretDB with their data in .data/, the five
services, each waited for until SERVING, then the edge on http://127.0.0.1:8080 (the web app, the
REST API, /docs/). Logs are in .data/logs/. Ctrl-C, or SIGTERM / SIGINT to this process or to npm,
stops everything it started.

environment:
  EDGE_PORT (8080), NATS_PORT (4222), NATS_MONITOR_PORT (8222), FERRETDB_PORT (27017)
  <SERVICE>_GRPC_PORT, <SERVICE>_HTTP_PORT    e.g. ORDER_GRPC_PORT (50051), ORDER_HTTP_PORT (8081)
  PAYMENT_DATABASE_URL, STORE_DATABASE_URL, MARKETING_DATABASE_URL   instead of the SQLite files
  SERVICE_START_TIMEOUT_MS (60000)            how long to wait for each service to be SERVING
  DATA_DIR (.data)                            where the data, the logs and the NATS keys go
  anything else (LOG_LEVEL, AUTH_MODE, ...)   passed on to the services (README, "Configuration")

--observe also starts Jaeger (built into .tools/bin by SETUP_OBSERVE=1 bash scripts/setup.sh), and the
services send their spans to it:
  JAEGER_UI_PORT (16686), JAEGER_OTLP_PORT (4318), JAEGER_QUERY_GRPC_PORT (16685)
`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(usage);
  process.exit(0);
}
const unknown = args.filter((arg) => arg !== '--observe');
if (unknown.length > 0) {
  process.stderr.write(`npm start: unknown argument ${JSON.stringify(unknown[0])}\n\n${usage}`);
  process.exit(64);
}

try {
  await main(args.includes('--observe'));
} catch (error) {
  if (stopping) {
    // A signal arrived during start-up; its handler stops everything and exits.
  } else {
    console.error(`\n${error instanceof StartError ? error.message : `Could not start: ${(error as Error).message}`}`);
    if (startedAnything) {
      console.error('Stopping what was started ...');
      console.error((await stopEverything()) ? 'Stopped.' : 'Stopped, with errors.');
    }
    process.exit(1);
  }
}
