import { openSqlOrm } from '@fooddelivery/adapters/orm';
import { OutboxRowSchema, ProcessedEventSchema, SqlOutboxStore } from '@fooddelivery/adapters/sql-outbox';
import { serverSpan, startTracing, type Tracing } from '@fooddelivery/adapters/tracing';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { PaymentSchema } from '../../src/adapters/persistence/payment.schema.js';
import { SqlPaymentRepository } from '../../src/adapters/persistence/sql-payment.repository.js';
import { onEverySqlStore } from '../../../../test/support/sql-stores.js';
import { approvedPayment } from '../support/payment-mother.js';
import { paymentRepositoryContract } from '../support/payment-repository.contract.js';

async function repositoryAt(databaseUrl: string) {
  const orm = await openSqlOrm(databaseUrl, [PaymentSchema, OutboxRowSchema, ProcessedEventSchema]);
  return { store: new SqlPaymentRepository(orm), outbox: new SqlOutboxStore(orm), close: () => orm.close() };
}

onEverySqlStore('SqlPaymentRepository', (databaseUrl) => {
  paymentRepositoryContract(async () => repositoryAt(await databaseUrl()));

  describe('traces', () => {
    let tracing: Tracing;
    let repository: Awaited<ReturnType<typeof repositoryAt>>;
    before(async () => {
      tracing = startTracing('payment-test', {});
      repository = await repositoryAt(await databaseUrl());
    });
    after(async () => {
      await repository.close();
      await tracing.stop();
    });

    it('stores each approval’s event with the trace of that approval, also when approvals are stored together', async () => {
      const traceIds = Array.from({ length: 20 }, () => randomUUID().replaceAll('-', ''));
      const payments = traceIds.map(() =>
        approvedPayment({ orderId: `order-${randomUUID()}`, paymentId: randomUUID() }, new Date(), randomUUID()),
      );
      await Promise.all(
        payments.map((payment, index) =>
          serverSpan('PaymentService/ApprovePayment', (name) =>
            name === 'traceparent' ? `00-${traceIds[index]}-00f067aa0ba902b7-01` : undefined,
          ).run(() => repository.store.insert(payment)),
        ),
      );
      const events = (await repository.outbox.pending(1_000, new Date(Date.now() + 60_000))).flatMap((item) => item.events);
      payments.forEach((payment, index) => {
        const event = events.find((candidate) => candidate.orderId === payment.orderId);
        expect(event?.traceparent, `the event of approval ${index}`).to.match(new RegExp(`^00-${traceIds[index]}-`));
      });
    });
  });
});
