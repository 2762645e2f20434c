import type { SqlOrm } from '@fooddelivery/adapters/orm';
import type { CommittedEvents } from '@fooddelivery/adapters/outbox';
import { appendToOutbox, outboxItems, recordHandledEvent, wasHandled } from '@fooddelivery/adapters/sql-outbox';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { Payment } from '../../domain/payment.js';
import type { HandledEvent, PaymentRepository } from '../../application/ports.js';
import { toOutgoingEvent } from './payment-event.mapper.js';
import { PaymentSchema, type PaymentRow } from './payment.schema.js';

/**
 * Payments in PostgreSQL or SQLite. Each write stores the payment, its events (in the shared
 * outbox, published by OutboxRelay with SqlOutboxStore) and the event it handled in one transaction.
 */
export class SqlPaymentRepository implements PaymentRepository {
  constructor(
    private readonly orm: SqlOrm,
    private readonly relay: CommittedEvents = { committed: () => {} },
  ) {}

  async findByOrderId(orderId: string): Promise<Payment | undefined> {
    const row = await this.orm.em.fork().findOne(PaymentSchema, { orderId });
    return row ? toPayment(row) : undefined;
  }

  async insert(payment: Payment, handled?: HandledEvent): Promise<boolean> {
    let inserted: boolean;
    try {
      inserted = await this.write(async (em) => {
        await recordHandled(em, handled, payment);
        await em.insert(PaymentSchema, toRow(payment));
        await addToOutbox(em, payment);
      });
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      // The event was handled already, or the order's payment was stored first; any other clash is a real failure.
      if (handled && (await wasHandled(this.orm, handled.consumer, handled.eventId))) return false;
      if (await this.findByOrderId(payment.orderId)) return false;
      throw error;
    }
    if (inserted) this.relay.committed(outboxItems(payment.newEvents().map(toOutgoingEvent)));
    return inserted;
  }

  async update(payment: Payment, handled?: HandledEvent): Promise<boolean> {
    const state = payment.snapshot();
    let updated: boolean;
    try {
      updated = await this.write(async (em) => {
        await recordHandled(em, handled, payment);
        const count = await em.nativeUpdate(
          PaymentSchema,
          { orderId: state.orderId, version: state.version - 1 },
          { status: state.status, statusReason: state.statusReason, updatedAt: state.updatedAt, version: state.version },
        );
        if (count === 0) throw new WriteLost();
        await addToOutbox(em, payment);
      });
    } catch (error) {
      // The same event, handled already (by another replica meanwhile): its change stands.
      if (handled && error instanceof UniqueConstraintViolationException && (await wasHandled(this.orm, handled.consumer, handled.eventId)))
        return false;
      throw error;
    }
    if (updated) this.relay.committed(outboxItems(payment.newEvents().map(toOutgoingEvent)));
    return updated;
  }

  /** Runs `work` in a transaction; false when it lost a race, with nothing written. */
  private async write(work: (em: EntityManager) => Promise<void>): Promise<boolean> {
    try {
      await this.orm.em.fork().transactional(work);
      return true;
    } catch (error) {
      if (error instanceof WriteLost) return false;
      throw error;
    }
  }
}

/** Thrown inside a transaction to roll it back: `transactional` commits whatever a normal return leaves. */
class WriteLost extends Error {}

async function recordHandled(em: EntityManager, handled: HandledEvent | undefined, payment: Payment): Promise<void> {
  if (handled) await recordHandledEvent(em, handled.consumer, handled.eventId, payment.snapshot().updatedAt);
}

/** Stamped with the time of the change, so a payment's events leave in the order they were raised. */
function addToOutbox(em: EntityManager, payment: Payment): Promise<void> {
  return appendToOutbox(em, payment.newEvents().map(toOutgoingEvent), payment.snapshot().updatedAt);
}

function toRow(payment: Payment): PaymentRow {
  const { amount, ...state } = payment.snapshot();
  return { ...state, currencyCode: amount.currencyCode, amountMinor: amount.amountMinor };
}

function toPayment(row: PaymentRow): Payment {
  const { currencyCode, amountMinor, ...state } = row;
  return Payment.restore({
    ...state,
    amount: { currencyCode, amountMinor: Number(amountMinor) },
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
  });
}
