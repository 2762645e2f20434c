import { env } from '@fooddelivery/adapters/config';
import { connectNats, ensureStream, EventPublisher } from '@fooddelivery/adapters/jetstream';
import { openSqlOrm } from '@fooddelivery/adapters/orm';
import { runService } from '@fooddelivery/adapters/service-runtime';
import { OutboxRowSchema, ProcessedEventSchema, runSqlOutbox } from '@fooddelivery/adapters/sql-outbox';
import { Streams } from '@fooddelivery/adapters/streams';
import { descriptorSet } from '@fooddelivery/gen/descriptor';
import { PaymentServiceService } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_service';
import { buildApplication } from './app.js';
import { systemClock, uuidGenerator } from '@fooddelivery/adapters/ids';
import { PaymentSchema } from './adapters/persistence/payment.schema.js';
import { SqlPaymentRepository } from './adapters/persistence/sql-payment.repository.js';
import { SimulatedPaymentProvider } from './adapters/provider/simulated-payment-provider.js';

await runService({
  name: 'payment',
  ports: { grpc: 50052, http: 8082 },
  descriptorSet,
  definitions: [PaymentServiceService],
  config: {
    DATABASE_URL: env.sqlDatabaseUrl('sqlite:.data/payment.sqlite'),
    PAYMENT_LATENCY_MIN_MS: env.nonNegativeInt(50),
    PAYMENT_LATENCY_MAX_MS: env.nonNegativeInt(150),
    PAYMENT_CAPACITY: env.nonNegativeInt(0),
    PAYMENT_QUEUE_LIMIT: env.nonNegativeInt(50),
    PAYMENT_DECLINE_CARD_PREFIX: env.text('tok_decline'),
  },
  rules: (config) =>
    config.PAYMENT_LATENCY_MIN_MS > config.PAYMENT_LATENCY_MAX_MS
      ? [`PAYMENT_LATENCY_MIN_MS must not exceed PAYMENT_LATENCY_MAX_MS (${config.PAYMENT_LATENCY_MAX_MS})`]
      : [],
  async start({ config, logger, metrics, retry, onShutdown, consume, repeat }) {
    const nats = await retry('NATS', () => connectNats(config.NATS_URL, 'payment', logger, config.NATS_NKEY_SEED_FILE));
    onShutdown(() => nats.drain());
    await retry('JetStream stream', () => ensureStream(nats, Streams.payment, config));

    const orm = await retry('database', () => openSqlOrm(config.DATABASE_URL, [PaymentSchema, OutboxRowSchema, ProcessedEventSchema]));
    onShutdown(() => orm.close());

    const relay = runSqlOutbox(orm, new EventPublisher(nats.jetstream()), {
      logger,
      metrics,
      retentionMs: config.RETENTION_MS,
      onShutdown,
      repeat,
    });
    const payments = new SqlPaymentRepository(orm, relay);

    const provider = new SimulatedPaymentProvider({
      latencyMinMs: config.PAYMENT_LATENCY_MIN_MS,
      latencyMaxMs: config.PAYMENT_LATENCY_MAX_MS,
      capacity: config.PAYMENT_CAPACITY,
      queueLimit: config.PAYMENT_QUEUE_LIMIT,
      declineCardPrefix: config.PAYMENT_DECLINE_CARD_PREFIX,
    });
    const app = buildApplication({ payments, provider, clock: systemClock, ids: uuidGenerator });
    for (const subscription of app.subscriptions) await consume(nats, subscription);
    return app.bindings;
  },
});
