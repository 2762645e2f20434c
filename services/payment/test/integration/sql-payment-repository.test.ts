import { openSqlOrm } from '@fooddelivery/adapters/orm';
import { OutboxRowSchema, ProcessedEventSchema, SqlOutboxStore } from '@fooddelivery/adapters/sql-outbox';
import { freePort } from '@fooddelivery/stack/ports';
import { startPostgres, type Postgres } from '@fooddelivery/stack/postgres';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PaymentSchema } from '../../src/adapters/persistence/payment.schema.js';
import { SqlPaymentRepository } from '../../src/adapters/persistence/sql-payment.repository.js';
import { paymentRepositoryContract } from '../support/payment-repository.contract.js';

async function repositoryAt(databaseUrl: string) {
  const orm = await openSqlOrm(databaseUrl, [PaymentSchema, OutboxRowSchema, ProcessedEventSchema]);
  return { store: new SqlPaymentRepository(orm), outbox: new SqlOutboxStore(orm), close: () => orm.close() };
}

describe('SqlPaymentRepository', function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'payment-repository-'));
    // PostgreSQL runs as its own user when we are root; it must be able to reach its data directory.
    await chmod(dir, 0o711);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('on SQLite', () => {
    paymentRepositoryContract(() => repositoryAt(`sqlite:${join(dir, 'payment.sqlite')}`));
  });

  describe('on PostgreSQL', () => {
    let postgres: Postgres;
    before(async () => {
      postgres = await startPostgres({ dataDir: join(dir, 'postgres'), port: await freePort() });
    });
    paymentRepositoryContract(async () => repositoryAt(await postgres.createDatabase('payment_test')));
    // Registered after the contract's own hooks, so the repository closes before the server stops.
    after(async () => {
      await postgres?.stop();
    });
  });
});
