import { env } from '@fooddelivery/adapters/config';
import { connectNats, ensureStream, EventPublisher, retireConsumers } from '@fooddelivery/adapters/jetstream';
import { openSqlOrm } from '@fooddelivery/adapters/orm';
import { runService } from '@fooddelivery/adapters/service-runtime';
import { Streams } from '@fooddelivery/adapters/streams';
import { OutboxRowSchema, ProcessedEventSchema, runSqlOutbox } from '@fooddelivery/adapters/sql-outbox';
import { descriptorSet } from '@fooddelivery/gen/descriptor';
import { StoreServiceService } from '@fooddelivery/gen/fooddelivery/store/v1/store_service';
import { buildApplication } from './app.js';
import { RETIRED_CONSUMERS } from './adapters/events/follow-orders.consumer.js';
import { systemClock, uuidGenerator } from '@fooddelivery/adapters/ids';
import { SqlStoreOrderRepository } from './adapters/persistence/sql-store-order.repository.js';
import { StoreOrderSchema } from './adapters/persistence/store-order.schema.js';

await runService({
  name: 'store',
  ports: { grpc: 50053, http: 8083 },
  descriptorSet,
  definitions: [StoreServiceService],
  config: {
    DATABASE_URL: env.sqlDatabaseUrl('sqlite:.data/store.sqlite'),
  },
  async start({ config, logger, metrics, retry, onShutdown, consume, repeat }) {
    const nats = await retry('NATS', () => connectNats(config.NATS_URL, 'store', logger, config.NATS_NKEY_SEED_FILE));
    onShutdown(() => nats.drain());
    await retry('JetStream stream', () => ensureStream(nats, Streams.store, config));
    const orm = await retry('database', () => openSqlOrm(config.DATABASE_URL, [StoreOrderSchema, OutboxRowSchema, ProcessedEventSchema]));
    onShutdown(() => orm.close());

    const relay = runSqlOutbox(orm, new EventPublisher(nats.jetstream()), {
      logger,
      metrics,
      retentionMs: config.RETENTION_MS,
      onShutdown,
      repeat,
    });
    const orders = new SqlStoreOrderRepository(orm, relay);

    await retry('retiring old consumers', () => retireConsumers(nats, RETIRED_CONSUMERS));
    const app = buildApplication({ orders, clock: systemClock, ids: uuidGenerator });
    for (const subscription of app.subscriptions) await consume(nats, subscription);
    return app.bindings;
  },
});
