import { openSqlOrm } from '@fooddelivery/adapters/orm';
import { OutboxRowSchema, ProcessedEventSchema, SqlOutboxStore } from '@fooddelivery/adapters/sql-outbox';
import { freePort } from '@fooddelivery/stack/ports';
import { startPostgres, type Postgres } from '@fooddelivery/stack/postgres';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlStoreOrderRepository } from '../../src/adapters/persistence/sql-store-order.repository.js';
import { StoreOrderSchema } from '../../src/adapters/persistence/store-order.schema.js';
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

describe('SqlStoreOrderRepository', function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'store-repository-'));
    // PostgreSQL runs as its own user when we are root; it must be able to reach its data directory.
    await chmod(dir, 0o711);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('on SQLite', () => {
    storeOrderRepositoryContract(() => repositoryAt(`sqlite:${join(dir, 'store.sqlite')}`));
  });

  describe('on PostgreSQL', () => {
    let postgres: Postgres;
    before(async () => {
      postgres = await startPostgres({ dataDir: join(dir, 'postgres'), port: await freePort() });
    });
    storeOrderRepositoryContract(async () => repositoryAt(await postgres.createDatabase('store_test')));
    // Registered after the contract's own hooks, so the repository closes before the server stops.
    after(async () => {
      await postgres?.stop();
    });
  });
});
