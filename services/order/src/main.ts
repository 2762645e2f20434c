import { env } from '@fooddelivery/adapters/config';
import { z } from 'zod';
import { connectNats, ensureStream, EventPublisher } from '@fooddelivery/adapters/jetstream';
import { Lease } from '@fooddelivery/adapters/lease';
import { OutboxRelay } from '@fooddelivery/adapters/outbox';
import { observeOutbox } from '@fooddelivery/adapters/outbox-metrics';
import { runService } from '@fooddelivery/adapters/service-runtime';
import { Streams } from '@fooddelivery/adapters/streams';
import { descriptorSet } from '@fooddelivery/gen/descriptor';
import { OrderServiceService } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { hostname } from 'node:os';
import { accessSync, constants } from 'node:fs';
import { channelCredentials } from '@fooddelivery/adapters/grpc-tls';
import { TokenFile } from '@fooddelivery/adapters/token-file';
import { randomUUID } from 'node:crypto';
import { buildApplication } from './app.js';
import { systemClock, uuidGenerator } from '@fooddelivery/adapters/ids';
import { GrpcPaymentGateway } from './adapters/payment/grpc-payment-gateway.js';
import { CachedCatalog } from './adapters/persistence/cached-catalog.js';
import { demoStores } from './adapters/persistence/demo-catalog.js';
import { migrateLegacyLayout } from './adapters/persistence/legacy-layout.js';
import { LocalOrderChanges } from './adapters/persistence/local-order-changes.js';
import { MongoCatalog } from './adapters/persistence/mongo-catalog.js';
import { MongoOrderOutbox } from './adapters/persistence/mongo-order-outbox.js';
import { MongoOrderRepository } from './adapters/persistence/mongo-order.repository.js';
import { MongoPaymentAttempts } from './adapters/persistence/mongo-payment-attempts.js';
import { openOrderDatabase } from './adapters/persistence/order-database.js';

await runService({
  name: 'order',
  ports: { grpc: 50051, http: 8081 },
  descriptorSet,
  definitions: [OrderServiceService],
  publicMethods: ['ListStores', 'GetMenu'],
  rules: (config) =>
    config.PAYMENT_AUTH_TOKEN_FILE && !readableFile(config.PAYMENT_AUTH_TOKEN_FILE)
      ? [`PAYMENT_AUTH_TOKEN_FILE cannot be read (${config.PAYMENT_AUTH_TOKEN_FILE})`]
      : [],
  config: {
    MONGODB_URL: env.url(['mongodb', 'mongodb+srv'], 'mongodb://127.0.0.1:27017/'),
    MONGODB_DATABASE: env.text('order'),
    /** Every database operation gives up after this long, so an outage answers UNAVAILABLE promptly. */
    MONGODB_TIMEOUT_MS: env.positiveInt(1_500),
    PAYMENT_GRPC_ADDRESS: env.grpcTarget('127.0.0.1:50052'),
    PAYMENT_TIMEOUT_MS: env.positiveInt(1_500),
    /**
     * A file holding the order service's token for payment (role service, sub order), read again
     * whenever it changes so short-lived tokens can be rotated; empty sends none (AUTH_MODE=off).
     */
    PAYMENT_AUTH_TOKEN_FILE: z.string().default(''),
    BREAKER_ERROR_THRESHOLD_PERCENT: env.percent(50),
    BREAKER_VOLUME_THRESHOLD: env.nonNegativeInt(5),
    BREAKER_RESET_TIMEOUT_MS: env.positiveInt(5_000),
    BREAKER_ROLLING_WINDOW_MS: env.positiveInt(10_000),
    /** How long a retry under the same idempotency key may still complete an order; then its payment is refunded. */
    PAYMENT_SETTLE_AFTER_MS: env.positiveInt(60_000),
    PAYMENT_SETTLE_INTERVAL_MS: env.positiveInt(1_000),
    /** How long CancelOrder waits for the store's decision before answering with the request open. */
    CANCEL_DECISION_WAIT_MS: env.nonNegativeInt(3_000),
    /** Events not published by the replica that committed them are swept after this long. */
    OUTBOX_SWEEP_AFTER_MS: env.positiveInt(5_000),
    /** The sweep and the settlement run in one replica at a time; another takes over this long after it stops. */
    SWEEPER_LEASE_TTL_MS: env.positiveInt(10_000),
    SEED_DEMO_CATALOG: env.flag(true),
    CATALOG_CACHE_MS: env.nonNegativeInt(5_000),
  },
  async start({ config, logger, metrics, retry, onShutdown, consume, repeat }) {
    const nats = await retry('NATS', () => connectNats(config.NATS_URL, 'order', logger, config.NATS_NKEY_SEED_FILE));
    onShutdown(() => nats.drain());
    await retry('JetStream stream', () => ensureStream(nats, Streams.order, config));

    const database = await retry('MongoDB', () =>
      openOrderDatabase(config.MONGODB_URL, config.MONGODB_DATABASE, { timeoutMs: config.MONGODB_TIMEOUT_MS }),
    );
    onShutdown(() => database.close());
    await migrateLegacyLayout(database, logger);

    const storedCatalog = new MongoCatalog(database.stores);
    if (config.SEED_DEMO_CATALOG) {
      const added = await storedCatalog.seed(demoStores);
      if (added > 0) logger.info({ added }, 'demo catalog loaded');
    }
    const catalog = new CachedCatalog(storedCatalog, config.CATALOG_CACHE_MS);

    const sweeper = await retry('sweeper lease', () =>
      Lease.open(
        nats,
        {
          bucket: 'order_leases',
          name: 'order-sweeper',
          holder: `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
          ttlMs: config.SWEEPER_LEASE_TTL_MS,
          replicas: config.JETSTREAM_REPLICAS,
        },
        logger,
      ),
    );
    onShutdown(() => sweeper.stop());
    const outbox = new MongoOrderOutbox(database);
    observeOutbox(outbox, metrics);
    const relay = new OutboxRelay(outbox, new EventPublisher(nats.jetstream()), logger, {
      sweepAfterMs: config.OUTBOX_SWEEP_AFTER_MS,
      sweepLease: sweeper,
    });
    relay.start();
    onShutdown(() => relay.stop());
    const conflicts = metrics.counter('order_log_conflicts_total', 'Appends that lost their version to another write (then decided again)');
    const changes = new LocalOrderChanges();
    const orders = new MongoOrderRepository(database, relay, {
      logger,
      conflict: () => conflicts.inc(),
      appended: (orderId) => changes.appended(orderId),
    });
    onShutdown(() => orders.viewsWritten());
    const attempts = new MongoPaymentAttempts(database);

    const payments = new GrpcPaymentGateway(
      config.PAYMENT_GRPC_ADDRESS,
      channelCredentials(config),
      paymentToken(config.PAYMENT_AUTH_TOKEN_FILE),
      {
        timeoutMs: config.PAYMENT_TIMEOUT_MS,
        errorThresholdPercentage: config.BREAKER_ERROR_THRESHOLD_PERCENT,
        volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
        resetTimeoutMs: config.BREAKER_RESET_TIMEOUT_MS,
        rollingWindowMs: config.BREAKER_ROLLING_WINDOW_MS,
      },
      logger,
      metrics,
    );
    onShutdown(() => payments.close());

    const app = buildApplication(
      { orders, attempts, catalog, payments, clock: systemClock, ids: uuidGenerator, orderChanges: changes },
      {
        settleAfterMs: config.PAYMENT_SETTLE_AFTER_MS,
        cancelDecisionWaitMs: config.CANCEL_DECISION_WAIT_MS,
      },
    );
    repeat('settling payment attempts', config.PAYMENT_SETTLE_INTERVAL_MS, async () => {
      if (!sweeper.isHeld()) return;
      const { refunded, failed } = await app.settlement.execute();
      if (refunded.length > 0) logger.warn({ refunded }, 'refunded payments that have no order');
      if (failed.length > 0)
        logger.warn({ failed: failed.length, err: failed[0]?.error }, 'some payments could not be settled yet; will retry');
    });
    for (const subscription of app.subscriptions) await consume(nats, subscription);
    return app.bindings;
  },
});

function paymentToken(file: string): () => string {
  if (!file) return () => '';
  const token = new TokenFile(file);
  return () => token.current();
}

function readableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
