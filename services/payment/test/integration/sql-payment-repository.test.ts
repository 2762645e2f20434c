import { openSqlOrm } from '@fooddelivery/adapters/orm';
import { OutboxRowSchema, ProcessedEventSchema, SqlOutboxStore } from '@fooddelivery/adapters/sql-outbox';
import { PaymentSchema } from '../../src/adapters/persistence/payment.schema.js';
import { SqlPaymentRepository } from '../../src/adapters/persistence/sql-payment.repository.js';
import { onEverySqlStore } from '../../../../test/support/sql-stores.js';
import { paymentRepositoryContract } from '../support/payment-repository.contract.js';

async function repositoryAt(databaseUrl: string) {
  const orm = await openSqlOrm(databaseUrl, [PaymentSchema, OutboxRowSchema, ProcessedEventSchema]);
  return { store: new SqlPaymentRepository(orm), outbox: new SqlOutboxStore(orm), close: () => orm.close() };
}

onEverySqlStore('SqlPaymentRepository', (databaseUrl) => {
  paymentRepositoryContract(async () => repositoryAt(await databaseUrl()));
});
