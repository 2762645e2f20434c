import type { SqlOrm } from '@fooddelivery/adapters/orm';
import { GroupCommit } from '@fooddelivery/adapters/group-commit';
import type { CommittedEvents } from '@fooddelivery/adapters/outbox';
import { appendToOutbox, outboxItems, recordHandledEvent, wasHandled } from '@fooddelivery/adapters/sql-outbox';
import { dateFrom, jsonFrom, onSqlite, placeholders, runSql } from '@fooddelivery/adapters/sql-statements';
import { currentTraceparent } from '@fooddelivery/adapters/tracing';
import type { OutgoingEvent } from '@fooddelivery/adapters/jetstream';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import type { LineItem } from '../../domain/line-item.js';
import { Payment, type PaymentStatus } from '../../domain/payment.js';
import type { HandledEvent, PaymentRepository } from '../../application/ports.js';
import { toOutgoingEvent } from './payment-event.mapper.js';

/**
 * Payments in PostgreSQL or SQLite. Each write stores the payment, its events (in the shared
 * outbox, published by OutboxRelay with SqlOutboxStore) and the event it handled in one transaction.
 */
export class SqlPaymentRepository implements PaymentRepository {
  /**
   * On SQLite (one connection, one commit at a time), the new payments of approvals asked for at
   * once are stored in one transaction; PostgreSQL commits them side by side on its pool.
   */
  private readonly newPayments = new GroupCommit<NewPayment, boolean>((payments) => this.insertAll(payments));
  private readonly grouped: boolean;

  constructor(
    private readonly orm: SqlOrm,
    private readonly relay: CommittedEvents = { committed: () => {} },
  ) {
    this.grouped = onSqlite(orm.em);
  }

  async findByOrderId(orderId: string): Promise<Payment | undefined> {
    const { rows } = await runSql<PaymentColumns>(this.orm.em, `SELECT ${COLUMNS} FROM payments WHERE order_id = ?`, [orderId]);
    return rows[0] && toPayment(rows[0]);
  }

  /** On SQLite a new payment of an approval goes with those asked for at once; one recording a handled event, on its own. */
  async insert(payment: Payment, handled?: HandledEvent): Promise<boolean> {
    // The approval's trace goes with it: the group is written in another request's context.
    if (!handled && this.grouped) return this.newPayments.write({ payment, traceparent: currentTraceparent() });
    let inserted: boolean;
    try {
      inserted = await this.write(async (em) => {
        await recordHandled(em, handled, payment);
        await runSql(em, `INSERT INTO payments (${COLUMNS}) VALUES ${placeholders(13)}`, toColumns(payment));
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
        const { affected } = await runSql(
          em,
          'UPDATE payments SET status = ?, status_reason = ?, updated_at = ?, version = ? WHERE order_id = ? AND version = ?',
          [state.status, state.statusReason, state.updatedAt, state.version, state.orderId, state.version - 1],
        );
        if (affected === 0) throw new WriteLost();
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

  /**
   * Each payment with its events, or nothing when its order (or its id) has a payment already:
   * `ON CONFLICT DO NOTHING` skips only that one, so the others of the group still commit.
   */
  private async insertAll(asked: NewPayment[]): Promise<boolean[]> {
    const inserted: boolean[] = [];
    const events = asked.map(({ payment, traceparent }) =>
      payment
        .newEvents()
        .map(toOutgoingEvent)
        .map((event): OutgoingEvent => (traceparent ? { ...event, traceparent } : event)),
    );
    await this.orm.em.fork().transactional(async (em) => {
      for (const [index, { payment }] of asked.entries()) {
        const { affected } = await runSql(
          em,
          `INSERT INTO payments (${COLUMNS}) VALUES ${placeholders(13)} ON CONFLICT DO NOTHING`,
          toColumns(payment),
        );
        inserted.push(affected === 1);
        if (affected === 1) await appendToOutbox(em, events[index]!, payment.snapshot().updatedAt);
      }
    });
    this.relay.committed(outboxItems(events.filter((_, index) => inserted[index]).flat()));
    return inserted;
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

interface NewPayment {
  payment: Payment;
  /** The trace of the approval that made it. */
  traceparent: string | undefined;
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

/** The columns of `payments` (see payment.schema.ts), in the order of `toColumns`. */
const COLUMNS =
  'payment_id, order_id, customer_id, currency_code, amount_minor, status, status_reason, store_id, items, delivery_address, created_at, updated_at, version';

interface PaymentColumns {
  payment_id: string;
  order_id: string;
  customer_id: string;
  currency_code: string;
  amount_minor: number | bigint | string;
  status: PaymentStatus;
  status_reason: string;
  store_id: string;
  items: unknown;
  delivery_address: string;
  created_at: unknown;
  updated_at: unknown;
  version: number;
}

function toColumns(payment: Payment): unknown[] {
  const state = payment.snapshot();
  return [
    state.paymentId,
    state.orderId,
    state.customerId,
    state.amount.currencyCode,
    state.amount.amountMinor,
    state.status,
    state.statusReason,
    state.storeId,
    state.items,
    state.deliveryAddress,
    state.createdAt,
    state.updatedAt,
    state.version,
  ];
}

function toPayment(row: PaymentColumns): Payment {
  return Payment.restore({
    paymentId: row.payment_id,
    orderId: row.order_id,
    customerId: row.customer_id,
    amount: { currencyCode: row.currency_code, amountMinor: Number(row.amount_minor) },
    status: row.status,
    statusReason: row.status_reason,
    storeId: row.store_id,
    items: jsonFrom<LineItem[]>(row.items),
    deliveryAddress: row.delivery_address,
    createdAt: dateFrom(row.created_at),
    updatedAt: dateFrom(row.updated_at),
    version: Number(row.version),
  });
}
