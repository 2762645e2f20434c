import { env } from '@fooddelivery/adapters/config';
import { z } from 'zod';
import { connectNats, ensureStream, EventPublisher } from '@fooddelivery/adapters/jetstream';
import { openMongoOrm } from '@fooddelivery/adapters/orm';
import { OutboxRelay } from '@fooddelivery/adapters/outbox';
import { runService } from '@fooddelivery/adapters/service-runtime';
import { Streams } from '@fooddelivery/adapters/streams';
import { descriptorSet } from '@fooddelivery/gen/descriptor';
import { OrderServiceService } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { BrowseCatalog } from './application/browse-catalog.js';
import { CancelOrder } from './application/cancel-order.js';
import { FollowStore } from './application/follow-store.js';
import { GetOrder, ListOrders } from './application/get-order.js';
import { PlaceOrder } from './application/place-order.js';
import { SettlePaymentAttempts } from './application/settle-payment-attempts.js';
import { FOLLOW_STORE_CONSUMER, followedStoreSubjects, onStoreEvent } from './adapters/events/store-events.consumer.js';
import { orderServiceBinding } from './adapters/grpc/order.handlers.js';
import { systemClock, uuidGenerator } from './adapters/ids.js';
import { GrpcPaymentGateway } from './adapters/payment/grpc-payment-gateway.js';
import { demoStores } from './adapters/persistence/demo-catalog.js';
import { CachedCatalog } from './adapters/persistence/cached-catalog.js';
import { MongoCatalog } from './adapters/persistence/mongo-catalog.js';
import { MongoOrderRepository } from './adapters/persistence/mongo-order.repository.js';
import { MongoPaymentAttempts, PaymentAttemptSchema } from './adapters/persistence/mongo-payment-attempts.js';
import { OrderSchema, StoreSchema } from './adapters/persistence/order.schema.js';

await runService({
  name: 'order',
  ports: { grpc: 50051, http: 8081 },
  descriptorSet,
  definitions: [OrderServiceService],
  publicMethods: ['ListStores', 'GetMenu'],
  config: {
    MONGODB_URL: env.url(['mongodb', 'mongodb+srv'], 'mongodb://127.0.0.1:27017/'),
    MONGODB_DATABASE: env.text('order'),
    PAYMENT_GRPC_ADDRESS: env.hostPort('127.0.0.1:50052'),
    PAYMENT_TIMEOUT_MS: env.positiveInt(1_500),
    /** A JWT with role service, sent to payment (which accepts approvals and refunds only from services). */
    PAYMENT_AUTH_TOKEN: z.string().default(''),
    BREAKER_ERROR_THRESHOLD_PERCENT: env.percent(50),
    BREAKER_VOLUME_THRESHOLD: env.nonNegativeInt(5),
    BREAKER_RESET_TIMEOUT_MS: env.positiveInt(5_000),
    BREAKER_ROLLING_WINDOW_MS: env.positiveInt(10_000),
    PAYMENT_SETTLE_AFTER_MS: env.positiveInt(60_000),
    PAYMENT_SETTLE_INTERVAL_MS: env.positiveInt(15_000),
    SEED_DEMO_CATALOG: env.flag(true),
    CATALOG_CACHE_MS: env.nonNegativeInt(5_000),
  },
  async start({ config, logger, metrics, retry, onShutdown, consume }) {
    const nats = await retry('NATS', () => connectNats(config.NATS_URL, 'order', logger));
    onShutdown(() => nats.drain());
    await retry('JetStream stream', () => ensureStream(nats, Streams.order.name, Streams.order.subjects, config.JETSTREAM_REPLICAS));

    const orm = await retry('MongoDB', () =>
      openMongoOrm(config.MONGODB_URL, config.MONGODB_DATABASE, [OrderSchema, StoreSchema, PaymentAttemptSchema]),
    );
    onShutdown(() => orm.close());

    const storedCatalog = new MongoCatalog(orm);
    if (config.SEED_DEMO_CATALOG) {
      const added = await storedCatalog.seed(demoStores);
      if (added > 0) logger.info({ added }, 'demo catalog loaded');
    }
    const catalog = new CachedCatalog(storedCatalog, config.CATALOG_CACHE_MS);

    let relay: OutboxRelay | undefined;
    const orders = new MongoOrderRepository(orm, () => relay?.wake());
    relay = new OutboxRelay(orders, new EventPublisher(nats.jetstream()), logger);
    relay.start();
    onShutdown(() => relay.stop());

    const payments = new GrpcPaymentGateway(
      config.PAYMENT_GRPC_ADDRESS,
      config.PAYMENT_AUTH_TOKEN,
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

    const attempts = new MongoPaymentAttempts(orm);
    const settle = new SettlePaymentAttempts(attempts, orders, payments, systemClock, config.PAYMENT_SETTLE_AFTER_MS);
    const settling = setInterval(() => {
      settle.execute().then(
        (refunded) => refunded.length > 0 && logger.warn({ refunded }, 'refunded payments that have no order'),
        (error: unknown) => logger.warn({ err: error }, 'settling payment attempts failed; will retry'),
      );
    }, config.PAYMENT_SETTLE_INTERVAL_MS);
    onShutdown(() => clearInterval(settling));

    await consume(nats, {
      stream: Streams.store.name,
      durable: FOLLOW_STORE_CONSUMER,
      filterSubjects: followedStoreSubjects,
      handle: onStoreEvent(new FollowStore(orders, systemClock)),
    });

    const compensation = {
      refundFailed: (orderId: string, error: unknown) =>
        logger.error({ orderId, err: error }, 'refund after a failed order write did not go through; it will be retried'),
    };
    return [
      orderServiceBinding({
        catalog: new BrowseCatalog(catalog),
        placeOrder: new PlaceOrder(
          orders,
          catalog,
          payments,
          attempts,
          systemClock,
          uuidGenerator,
          compensation,
          Math.ceil(config.BREAKER_RESET_TIMEOUT_MS / 1000),
        ),
        getOrder: new GetOrder(orders),
        listOrders: new ListOrders(orders),
        cancelOrder: new CancelOrder(orders, systemClock, uuidGenerator),
      }),
    ];
  },
});
