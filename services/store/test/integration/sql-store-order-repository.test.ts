import { openSqlOrm } from '@fooddelivery/adapters/orm';
import { OutboxRowSchema, ProcessedEventSchema, SqlOutboxStore } from '@fooddelivery/adapters/sql-outbox';
import { SqlStoreOrderRepository } from '../../src/adapters/persistence/sql-store-order.repository.js';
import { StoreOrderSchema } from '../../src/adapters/persistence/store-order.schema.js';
import { onEverySqlStore } from '../../../../test/support/sql-stores.js';
import { storeOrderRepositoryContract } from '../support/store-order-repository.contract.js';

async function repositoryAt(databaseUrl: string) {
  const orm = await openSqlOrm(databaseUrl, [StoreOrderSchema, OutboxRowSchema, ProcessedEventSchema]);
  const outbox = new SqlOutboxStore(orm);
  return {
    orders: new SqlStoreOrderRepository(orm),
    eventsOf: async (orderId: string) =>
      (await outbox.pending(10_000, new Date(Date.now() + 60_000)))
        .flatMap((item) => item.events)
        .filter((event) => event.orderId === orderId)
        .map((event) => event.subject),
    close: () => orm.close(),
  };
}

onEverySqlStore('SqlStoreOrderRepository', (databaseUrl) => {
  storeOrderRepositoryContract(async () => repositoryAt(await databaseUrl()));
});
