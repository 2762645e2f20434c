import { env } from '@fooddelivery/adapters/config';
import { connectNats, ensureStream, EventPublisher, retireConsumers } from '@fooddelivery/adapters/jetstream';
import { openSqlOrm } from '@fooddelivery/adapters/orm';
import { OutboxRelay } from '@fooddelivery/adapters/outbox';
import { runService } from '@fooddelivery/adapters/service-runtime';
import { Streams } from '@fooddelivery/adapters/streams';
import { OutboxRowSchema, ProcessedEventSchema, SqlOutboxStore } from '@fooddelivery/adapters/sql-outbox';
import { descriptorSet } from '@fooddelivery/gen/descriptor';
import { StoreServiceService } from '@fooddelivery/gen/fooddelivery/store/v1/store_service';
import { randomUUID } from 'node:crypto';
import { DecideCancellation } from './application/decide-cancellation.js';
import { ReceivePlacedOrder } from './application/receive-placed-order.js';
import { StopRefundedOrder } from './application/stop-refunded-order.js';
import { StoreOwnerActions } from './application/store-owner-actions.js';
import {
  FOLLOW_ORDERS_CONSUMER,
  followedOrderSubjects,
  onOrderEvent,
  onPaymentRefunded,
  RETIRED_CONSUMERS,
  STOP_REFUNDED_CONSUMER,
} from './adapters/events/store.consumers.js';
import { storeServiceBinding } from './adapters/grpc/store.handlers.js';
import { SqlStoreOrderRepository } from './adapters/persistence/sql-store-order.repository.js';
import { StoreOrderSchema } from './adapters/persistence/store-order.schema.js';

const clock = { now: () => new Date() };
const ids = { newId: () => randomUUID() };

await runService({
  name: 'store',
  ports: { grpc: 50053, http: 8083 },
  descriptorSet,
  definitions: [StoreServiceService],
  config: {
    DATABASE_URL: env.sqlDatabaseUrl('sqlite:.data/store.sqlite'),
  },
  async start({ config, logger, retry, onShutdown, consume, repeat }) {
    const nats = await retry('NATS', () => connectNats(config.NATS_URL, 'store', logger));
    onShutdown(() => nats.drain());
    await retry('JetStream stream', () => ensureStream(nats, Streams.store, config));
    const orm = await retry('database', () => openSqlOrm(config.DATABASE_URL, [StoreOrderSchema, OutboxRowSchema, ProcessedEventSchema]));
    onShutdown(() => orm.close());

    const outbox = new SqlOutboxStore(orm);
    const relay = new OutboxRelay(outbox, new EventPublisher(nats.jetstream()), logger);
    const orders = new SqlStoreOrderRepository(orm, relay);
    relay.start();
    onShutdown(() => relay.stop());
    repeat('pruning published events and handled-event records', 3_600_000, async () => {
      const deleted = await outbox.prune(new Date(Date.now() - config.RETENTION_MS));
      if (deleted > 0) logger.info({ deleted }, 'pruned published events and handled-event records');
    });

    await retry('retiring old consumers', () => retireConsumers(nats, RETIRED_CONSUMERS));
    await consume(nats, {
      stream: Streams.order.name,
      durable: FOLLOW_ORDERS_CONSUMER,
      filterSubjects: followedOrderSubjects,
      handle: onOrderEvent(new ReceivePlacedOrder(orders, clock), new DecideCancellation(orders, clock, ids)),
    });
    await consume(nats, {
      stream: Streams.payment.name,
      durable: STOP_REFUNDED_CONSUMER,
      filterSubjects: ['fooddelivery.payment.refunded'],
      handle: onPaymentRefunded(new StopRefundedOrder(orders, clock, ids)),
    });

    return [storeServiceBinding(new StoreOwnerActions(orders, clock, ids))];
  },
});
