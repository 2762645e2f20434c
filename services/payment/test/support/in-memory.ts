import type { OutboxItem, OutboxStore } from '@fooddelivery/adapters/outbox';
import { toOutgoingEvent } from '../../src/adapters/persistence/payment-event.mapper.js';
import type { PaymentEvent } from '../../src/domain/events.js';
import type { Money } from '../../src/domain/money.js';
import { Payment } from '../../src/domain/payment.js';
import type { Authorization, Clock, HandledEvent, IdGenerator, PaymentProvider, PaymentRepository } from '../../src/application/ports.js';

/**
 * Behaves like the SQL repository: one payment per order, lost updates refused, events and the
 * event handled kept with their payment.
 */
export class InMemoryPaymentRepository implements PaymentRepository, OutboxStore {
  private readonly rows = new Map<string, Payment>();
  private readonly outbox: Array<{ event: PaymentEvent; published: boolean }> = [];
  /** `consumer/eventId` of every event handled, in order. */
  readonly handled: string[] = [];

  /** Types of all events stored, in order. */
  get events(): string[] {
    return this.outbox.map((entry) => entry.event.type);
  }

  get size(): number {
    return this.rows.size;
  }

  async findByOrderId(orderId: string) {
    await tick();
    const payment = this.rows.get(orderId);
    return payment ? Payment.restore(structuredClone(payment.snapshot())) : undefined;
  }

  async insert(payment: Payment, handled?: HandledEvent) {
    await tick();
    if (this.wasHandled(handled) || this.rows.has(payment.orderId)) return false;
    const eventIds = new Set(this.outbox.map((entry) => entry.event.eventId));
    if (payment.newEvents().some((event) => eventIds.has(event.eventId))) throw new Error('duplicate event id');
    this.store(payment, handled);
    return true;
  }

  async update(payment: Payment, handled?: HandledEvent) {
    await tick();
    if (this.wasHandled(handled)) return false;
    if (this.rows.get(payment.orderId)?.snapshot().version !== payment.snapshot().version - 1) return false;
    this.store(payment, handled);
    return true;
  }

  async pending(limit: number): Promise<OutboxItem[]> {
    return this.outbox
      .filter((entry) => !entry.published)
      .slice(0, limit)
      .map(({ event }) => ({ key: event.eventId, events: [toOutgoingEvent(event)] }));
  }

  async markPublished(eventIds: string[]) {
    for (const entry of this.outbox) if (eventIds.includes(entry.event.eventId)) entry.published = true;
  }

  /** Events not handed to the relay yet, in order; from now on they count as handed over. */
  unpublished(): PaymentEvent[] {
    const entries = this.outbox.filter((entry) => !entry.published);
    for (const entry of entries) entry.published = true;
    return entries.map((entry) => entry.event);
  }

  orderIds(): string[] {
    return [...this.rows.keys()];
  }

  private wasHandled(handled: HandledEvent | undefined): boolean {
    return handled !== undefined && this.handled.includes(key(handled));
  }

  private store(payment: Payment, handled: HandledEvent | undefined): void {
    this.rows.set(payment.orderId, Payment.restore(structuredClone(payment.snapshot())));
    this.outbox.push(...payment.newEvents().map((event) => ({ event, published: false })));
    if (handled) this.handled.push(key(handled));
  }
}

const key = (handled: HandledEvent) => `${handled.consumer}/${handled.eventId}`;

/** Lets other calls run in between, as a real database round trip would. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Approves every card except those starting with `tok_decline`; counts what it was asked. */
export class FakePaymentProvider implements PaymentProvider {
  readonly authorizations: Array<{ cardToken: string; amount: Money }> = [];
  failWith: Error | undefined;

  async authorize(cardToken: string, amount: Money): Promise<Authorization> {
    await tick();
    if (this.failWith) throw this.failWith;
    this.authorizations.push({ cardToken, amount });
    return cardToken.startsWith('tok_decline') ? { approved: false, reason: 'card declined' } : { approved: true };
  }
}

export const fixedClock = (iso = '2026-11-24T12:00:00Z'): Clock => ({ now: () => new Date(iso) });

export function sequentialIds(prefix = 'id'): IdGenerator {
  let next = 0;
  return { newId: () => `${prefix}-${++next}`, idFor: (...parts) => `${prefix}-${parts.join('.')}` };
}
