import { env } from '@fooddelivery/adapters/config';
import { connectNats, ensureStream, EventPublisher } from '@fooddelivery/adapters/jetstream';
import { openSqlOrm } from '@fooddelivery/adapters/orm';
import { OutboxRelay } from '@fooddelivery/adapters/outbox';
import { runService } from '@fooddelivery/adapters/service-runtime';
import { Streams } from '@fooddelivery/adapters/streams';
import { OutboxRowSchema, ProcessedEventSchema, SqlOutboxStore } from '@fooddelivery/adapters/sql-outbox';
import { descriptorSet } from '@fooddelivery/gen/descriptor';
import { StoreServiceService } from '@fooddelivery/gen/fooddelivery/store/v1/store_service';
import { randomUUID } from 'node:crypto';
import { CancelStoreOrder } from './application/cancel-store-order.js';
import { ReceivePaidOrder } from './application/receive-paid-order.js';
import { StoreOwnerActions } from './application/store-owner-actions.js';
import {
  onOrderCancelled,
  onPaymentApproved,
  ORDER_CANCELLED_CONSUMER,
  PAYMENT_APPROVED_CONSUMER,
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
  async start({ config, logger, retry, onShutdown, consume }) {
    const nats = await retry('NATS', () => connectNats(config.NATS_URL, 'store', logger));
    onShutdown(() => nats.drain());
    await retry('JetStream stream', () => ensureStream(nats, Streams.store.name, Streams.store.subjects, config.JETSTREAM_REPLICAS));
    const orm = await retry('database', () => openSqlOrm(config.DATABASE_URL, [StoreOrderSchema, OutboxRowSchema, ProcessedEventSchema]));
    onShutdown(() => orm.close());

    const relay = new OutboxRelay(new SqlOutboxStore(orm), new EventPublisher(nats.jetstream()), logger);
    const orders = new SqlStoreOrderRepository(orm, () => relay.wake());
    relay.start();
    onShutdown(() => relay.stop());

    await consume(nats, {
      stream: Streams.payment.name,
      durable: PAYMENT_APPROVED_CONSUMER,
      filterSubjects: ['fooddelivery.payment.approved'],
      handle: onPaymentApproved(new ReceivePaidOrder(orders, clock)),
    });
    await consume(nats, {
      stream: Streams.order.name,
      durable: ORDER_CANCELLED_CONSUMER,
      filterSubjects: ['fooddelivery.order.cancelled'],
      handle: onOrderCancelled(new CancelStoreOrder(orders, clock, ids)),
    });

    return [storeServiceBinding(new StoreOwnerActions(orders, clock, ids))];
  },
});
