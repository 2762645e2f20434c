import type { z } from 'zod';
import { commonConfigShape, ConfigurationError, loadConfig } from './config.js';
import { containsDevelopmentKey, DEVELOPMENT_ISSUER, loadJwks, TokenVerifier, unauthenticatedAdmin } from './auth.js';
import type { CodedError } from './errors.js';
import { grpcTlsProblems, serverCredentials } from './grpc-tls.js';
import { startConsumer, type ConsumerOptions, type EventSubscription } from './jetstream.js';
import { observeConsumer } from './jetstream-metrics.js';
import type { NatsConnection } from 'nats';
import { GrpcServer } from './grpc-server.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { RestServer } from './rest-server.js';
import { startTracing } from './tracing.js';
import type { Authenticate, ServiceBinding, ServiceDefinition } from './rpc.js';

export type CommonConfig = z.infer<z.ZodObject<ReturnType<typeof commonConfigShape>>>;

export interface ServiceKit<S extends z.ZodRawShape> {
  config: CommonConfig & z.infer<z.ZodObject<S>>;
  logger: Logger;
  metrics: Metrics;
  /** Runs `fn` until it succeeds, waiting longer between tries; logs each failure. */
  retry: <T>(dependency: string, fn: () => Promise<T>) => Promise<T>;
  /** Registered hooks run in reverse order on shutdown, after the servers have drained. */
  onShutdown: (hook: () => Promise<void> | void) => void;
  /** Aborted when shutdown starts, e.g. to stop waiting for a dependency. */
  stopping: AbortSignal;
  /**
   * Starts a durable consumer (retrying until its streams exist) with the configured ack wait,
   * redelivery backoff and metrics, and stops it on shutdown before the connection drains.
   */
  consume: (connection: NatsConnection, subscription: EventSubscription & Partial<Pick<ConsumerOptions, 'concurrency'>>) => Promise<void>;
  /**
   * Runs `work` every `everyMs` (never two rounds at once) until shutdown, logging failures as
   * `what` failing; a round that fails is simply tried again next time.
   */
  repeat: (what: string, everyMs: number, work: () => Promise<void>) => void;
  /** The service answers NOT_SERVING while any reported part is down (e.g. a consumer that stopped receiving). */
  reportHealth: (part: string, up: boolean) => void;
}

export interface ServiceSpec<S extends z.ZodRawShape> {
  name: string;
  ports: { grpc: number; http: number };
  /** Variables this service reads besides the common ones. */
  config: S;
  /** Rules across variables that the per-variable schema cannot state: each problem names its variables. */
  rules?(config: CommonConfig & z.infer<z.ZodObject<S>>): string[];
  descriptorSet: Buffer;
  /** Methods callable without a token (proto names, e.g. ListStores). */
  publicMethods?: string[];
  /** The generated service definitions served, for health, reflection and REST. */
  definitions: ServiceDefinition[];
  /** Connects to dependencies and wires the use cases; the service is SERVING once it resolves. */
  start(kit: ServiceKit<S>): Promise<ServiceBinding[]>;
}

class StartingError extends Error implements CodedError {
  readonly code = 'SERVICE.STARTING';
  readonly kind = 'unavailable' as const;
  readonly retryAfterSeconds = 1;
  constructor() {
    super('the service is starting; try again shortly');
  }
}

/**
 * Process lifecycle shared by every service: validated configuration, JSON logs, gRPC (health,
 * reflection) and REST servers that answer NOT_SERVING until dependencies are ready, and a
 * graceful shutdown on SIGTERM/SIGINT: NOT_SERVING → drain calls → shutdown hooks → exit.
 */
export async function runService<S extends z.ZodRawShape>(spec: ServiceSpec<S>): Promise<void> {
  let config: ServiceKit<S>['config'];
  try {
    // One schema for both, so every bad variable is reported at once.
    config = loadConfig({
      ...commonConfigShape({ grpcPort: spec.ports.grpc, httpPort: spec.ports.http }),
      ...spec.config,
    }) as unknown as ServiceKit<S>['config'];
    const problems = [...commonRules(config), ...(spec.rules?.(config) ?? [])];
    if (problems.length > 0) throw new ConfigurationError(problems);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`${spec.name}: ${error.message}\n`);
    process.exit(78);
  }
  const logger = createLogger(spec.name, config.LOG_LEVEL);
  const tracing = startTracing(spec.name);
  if (tracing.exporters.length > 0) logger.info({ exporters: tracing.exporters }, 'exporting traces');
  const metrics = createMetrics(spec.name);
  // Run in reverse order: the spans of everything else's shutdown are exported last.
  const hooks: Array<() => Promise<void> | void> = [() => tracing.stop()];
  const stopping = new AbortController();

  let live: ServiceBinding[] | undefined;
  const bindings = spec.definitions.map((definition) => lateBinding(definition, () => live));
  const authenticate = authenticator(config, spec.publicMethods ?? [], spec.name);
  if (config.AUTH_MODE === 'off') logger.warn('AUTH_MODE=off: calls are not authenticated and every caller acts as an administrator');
  const grpcServer = new GrpcServer({
    services: bindings,
    descriptorSet: spec.descriptorSet,
    logger,
    metrics,
    authenticate,
    maxConnectionAgeMs: config.GRPC_MAX_CONNECTION_AGE_MS,
  });
  const restServer = new RestServer({ services: bindings, descriptorSet: spec.descriptorSet, logger, metrics, authenticate });

  let started = false;
  let shuttingDown = false;
  const partsDown = new Set<string>();
  const updateServing = () => {
    const serving = started && !shuttingDown && partsDown.size === 0;
    grpcServer.setServing(serving);
    restServer.setServing(serving);
  };
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: NOT_SERVING, draining calls');
    stopping.abort();
    grpcServer.setServing(false);
    restServer.setServing(false);
    await Promise.all([grpcServer.shutdown(config.SHUTDOWN_GRACE_MS), restServer.close()]);
    for (const hook of hooks.reverse()) {
      try {
        await hook();
      } catch (error) {
        logger.error({ err: error }, 'shutdown hook failed');
      }
    }
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));

  const grpcPort = await grpcServer.listen(config.BIND_HOST, config.GRPC_PORT, serverCredentials(config));
  const httpPort = await restServer.listen(config.BIND_HOST, config.HTTP_PORT);
  logger.info({ grpcPort, httpPort }, 'listening; NOT_SERVING until dependencies are ready');

  const kit: ServiceKit<S> = {
    config,
    logger,
    metrics,
    stopping: stopping.signal,
    onShutdown: (hook) => hooks.push(hook),
    retry: (dependency, fn) => retry(dependency, fn, logger, stopping.signal),
    repeat(what, everyMs, work) {
      let round: Promise<void> | undefined;
      const timer = setInterval(() => {
        round ??= work()
          .catch((error: unknown) => logger.warn({ err: error }, `${what} failed; will try again`))
          .finally(() => (round = undefined));
      }, everyMs);
      hooks.push(async () => {
        clearInterval(timer);
        await round;
      });
    },
    reportHealth(part, up) {
      const changed = up ? partsDown.delete(part) : !partsDown.has(part) && Boolean(partsDown.add(part));
      if (!changed) return;
      logger[up ? 'info' : 'error']({ part }, up ? 'part back up' : 'part down: NOT_SERVING until it is back');
      updateServing();
    },
    async consume(connection, options) {
      const consumer = await kit.retry(`${options.durable} consumer`, () =>
        startConsumer(connection, {
          concurrency: config.CONSUMER_CONCURRENCY,
          ...options,
          logger,
          metrics,
          ackWaitMs: config.CONSUMER_ACK_WAIT_MS,
          backoffMs: config.CONSUMER_BACKOFF_MS,
          delayBeforeAckMs: config.FAULT_DELAY_BEFORE_ACK_MS,
          streamLimits: config,
          onHealth: (up) => kit.reportHealth(`consumer ${options.durable}`, up),
        }),
      );
      hooks.push(() => consumer.stop());
      observeConsumer(connection, { stream: options.stream, durable: options.durable }, metrics);
    },
  };
  try {
    live = await spec.start(kit);
  } catch (error) {
    if (shuttingDown) return;
    logger.fatal({ err: error }, 'start failed');
    process.exit(1);
  }
  if (shuttingDown) return;
  started = true;
  updateServing();
  logger.info('SERVING');
}

function commonRules(config: CommonConfig): string[] {
  const problems: string[] = [];
  if (config.RETENTION_MS < config.STREAM_MAX_AGE_MS) {
    problems.push(
      `RETENTION_MS must not be shorter than STREAM_MAX_AGE_MS (${config.STREAM_MAX_AGE_MS}): a dead letter replayed from the stream would be handled again by consumers that already forgot it`,
    );
  }
  problems.push(...grpcTlsProblems(config));
  if (config.DEPLOY_ENV === 'production') problems.push(...productionRules(config));
  return problems;
}

/** What development allows and production must not: the keys and issuer committed for development, unauthenticated calls or NATS. */
function productionRules(config: CommonConfig): string[] {
  const problems: string[] = [];
  if (config.AUTH_MODE === 'off') problems.push('AUTH_MODE must be jwt when DEPLOY_ENV=production (got "off")');
  if (config.AUTH_ISSUER === DEVELOPMENT_ISSUER) {
    problems.push(`AUTH_ISSUER must not be the development issuer "${DEVELOPMENT_ISSUER}" when DEPLOY_ENV=production`);
  }
  try {
    if (containsDevelopmentKey(loadJwks(config.AUTH_JWKS_FILE))) {
      problems.push(`AUTH_JWKS_FILE must not contain the development key (${config.AUTH_JWKS_FILE}) when DEPLOY_ENV=production`);
    }
  } catch (error) {
    problems.push(`AUTH_JWKS_FILE cannot be read as a JWKS (${(error as Error).message})`);
  }
  if (!config.NATS_NKEY_SEED_FILE)
    problems.push('NATS_NKEY_SEED_FILE must be set when DEPLOY_ENV=production (NATS refuses anonymous clients)');
  return problems;
}

function lateBinding(definition: ServiceDefinition, live: () => ServiceBinding[] | undefined): ServiceBinding {
  const name = Object.values(definition)[0]?.path.split('/')[1] ?? '';
  const handlers: ServiceBinding['handlers'] = {};
  for (const key of Object.keys(definition)) {
    handlers[key] = (...args: unknown[]) => {
      const handler = live()?.find((binding) => binding.name === name)?.handlers[key];
      if (!handler) return Promise.reject(new StartingError());
      return (handler as (...a: unknown[]) => Promise<unknown>)(...args) as Promise<never>;
    };
  }
  return { name, definition, handlers };
}

async function retry<T>(dependency: string, fn: () => Promise<T>, logger: Logger, signal: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (signal.aborted) throw error;
      const waitMs = Math.min(5_000, 200 * 2 ** Math.min(attempt - 1, 5));
      logger.warn(
        { dependency, attempt, err: error instanceof Error ? error.message : String(error), waitMs },
        `waiting for ${dependency}`,
      );
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

function authenticator(config: CommonConfig, publicMethods: string[], service: string): Authenticate {
  if (config.AUTH_MODE === 'off') return async () => unauthenticatedAdmin;
  let jwks;
  try {
    jwks = loadJwks(config.AUTH_JWKS_FILE);
  } catch (error) {
    process.stderr.write(`${service}: invalid configuration: AUTH_JWKS_FILE cannot be read as a JWKS (${(error as Error).message})\n`);
    process.exit(78);
  }
  const verifier = new TokenVerifier({
    jwks,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    algorithms: config.AUTH_ALGORITHMS,
    maxLifetimeSeconds: config.AUTH_MAX_TOKEN_LIFETIME_S,
    clockSkewSeconds: config.AUTH_CLOCK_SKEW_S,
  });
  const open = new Set(publicMethods);
  return async (method, authorization) => (open.has(method) && !authorization ? undefined : verifier.verify(authorization));
}
