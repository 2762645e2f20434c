import type { Order } from '../domain/order.js';
import { cannotCancel, orderNotFound } from '../domain/order.errors.js';
import { forbidden, maySee, type Actor } from './actor.js';
import { changeWithRetry } from './change-with-retry.js';
import type { Clock, IdGenerator, OrderChangeWait, OrderRepository } from './ports.js';
import { optionalText, requireId } from './validation.js';

/**
 * The customer asks to cancel. The store owns delivery, so the store decides, atomically with its
 * own state: the request goes out as OrderCancellationRequested, and the answer waits (up to
 * `decisionWaitMs`) for the store's decision to reach the order's log. CANCELLED is said only
 * once it is certain; a refusal names the state; without a decision in time the order is
 * answered with its request open, and the decision follows.
 */
export class CancelOrder {
  constructor(
    private readonly orders: OrderRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly decision: { waitMs: number; wait: OrderChangeWait },
  ) {}

  async execute(actor: Actor, orderId: string, reason: string): Promise<Order> {
    if (actor.role !== 'customer' && actor.role !== 'admin') throw forbidden('cancelling an order');
    const id = requireId('order_id', orderId);
    const why = optionalText('reason', reason, 500) || 'cancelled by the customer';
    const requested = await changeWithRetry(this.orders, id, (order) => {
      if (!maySee(actor, order)) throw orderNotFound(id);
      order.requestCancellation(why, this.clock.now(), this.ids.newId());
    });
    if (!requested) throw orderNotFound(id);
    return this.awaitDecision(requested);
  }

  /** The request is recorded; a read that fails while waiting leaves it as the answer (the decision follows). */
  private async awaitDecision(order: Order): Promise<Order> {
    const deadline = this.clock.now().getTime() + this.decision.waitMs;
    for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
      const { status, cancellation, cancellationRefusal } = order.snapshot();
      if (status === 'cancelled') return order;
      if (cancellation === 'refused') throw cannotCancel(order.id, status, cancellationRefusal);
      const left = deadline - this.clock.now().getTime();
      if (left <= 0) return order;
      await this.decision.wait.until(order.id, Math.min(pause, left));
      await this.orders.refresh(order).catch(() => undefined);
    }
  }
}
