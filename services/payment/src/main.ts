import { ConfigurationError, env } from '@fooddelivery/adapters/config';
import { connectNats, ensureStream, EventPublisher } from '@fooddelivery/adapters/jetstream';
import { openSqlOrm } from '@fooddelivery/adapters/orm';
import { OutboxRelay } from '@fooddelivery/adapters/outbox';
import { runService } from '@fooddelivery/adapters/service-runtime';
import { OutboxRowSchema, ProcessedEventSchema, SqlOutboxStore } from '@fooddelivery/adapters/sql-outbox';
import { Streams } from '@fooddelivery/adapters/streams';
import { descriptorSet } from '@fooddelivery/gen/descriptor';
import { PaymentServiceService } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_service';
import { ApprovePayment } from './application/approve-payment.js';
import { GetPayment } from './application/get-payment.js';
import { RefundCancelledOrder } from './application/refund-cancelled-order.js';
import { RefundPayment } from './application/refund-payment.js';
import {
  onOrderCancelled,
  onOrderRejected,
  ORDER_CANCELLED_CONSUMER,
  ORDER_REJECTED_CONSUMER,
} from './adapters/events/payment.consumers.js';
import { paymentServiceBinding } from './adapters/grpc/payment.handlers.js';
import { systemClock, uuidGenerator } from './adapters/ids.js';
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
  async start({ config, logger, retry, onShutdown, consume, repeat }) {
    if (config.PAYMENT_LATENCY_MIN_MS > config.PAYMENT_LATENCY_MAX_MS) {
      throw new ConfigurationError([`PAYMENT_LATENCY_MIN_MS must not exceed PAYMENT_LATENCY_MAX_MS (${config.PAYMENT_LATENCY_MAX_MS})`]);
    }
    const nats = await retry('NATS', () => connectNats(config.NATS_URL, 'payment', logger));
    onShutdown(() => nats.drain());
    await retry('JetStream stream', () => ensureStream(nats, Streams.payment, config));

    const orm = await retry('database', () => openSqlOrm(config.DATABASE_URL, [PaymentSchema, OutboxRowSchema, ProcessedEventSchema]));
    onShutdown(() => orm.close());

    const outbox = new SqlOutboxStore(orm);
    const relay = new OutboxRelay(outbox, new EventPublisher(nats.jetstream()), logger);
    const payments = new SqlPaymentRepository(orm, relay);
    relay.start();
    onShutdown(() => relay.stop());
    repeat('pruning published events and handled-event records', 3_600_000, async () => {
      const deleted = await outbox.prune(new Date(Date.now() - config.RETENTION_MS));
      if (deleted > 0) logger.info({ deleted }, 'pruned published events and handled-event records');
    });

    const provider = new SimulatedPaymentProvider({
      latencyMinMs: config.PAYMENT_LATENCY_MIN_MS,
      latencyMaxMs: config.PAYMENT_LATENCY_MAX_MS,
      capacity: config.PAYMENT_CAPACITY,
      queueLimit: config.PAYMENT_QUEUE_LIMIT,
      declineCardPrefix: config.PAYMENT_DECLINE_CARD_PREFIX,
    });
    const refundPayment = new RefundPayment(payments, systemClock, uuidGenerator);
    const refundCancelledOrder = new RefundCancelledOrder(refundPayment);

    await consume(nats, {
      stream: Streams.order.name,
      durable: ORDER_CANCELLED_CONSUMER,
      filterSubjects: ['fooddelivery.order.cancelled'],
      handle: onOrderCancelled(refundCancelledOrder),
    });
    await consume(nats, {
      stream: Streams.store.name,
      durable: ORDER_REJECTED_CONSUMER,
      filterSubjects: ['fooddelivery.store.rejected'],
      handle: onOrderRejected(refundCancelledOrder),
    });

    return [
      paymentServiceBinding({
        approvePayment: new ApprovePayment(payments, provider, systemClock, uuidGenerator),
        refundPayment,
        getPayment: new GetPayment(payments),
      }),
    ];
  },
});
