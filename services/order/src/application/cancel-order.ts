import type { Order } from '../domain/order.js';
import { orderNotFound } from '../domain/order.errors.js';
import { forbidden, maySee, type Actor } from './actor.js';
import type { Clock, IdGenerator, OrderRepository } from './ports.js';
import { optionalText, requireId } from './validation.js';

/** Cancels before delivery starts; OrderCancelled then drives the refund and the store's cancellation. */
export class CancelOrder {
  constructor(
    private readonly orders: OrderRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async execute(actor: Actor, orderId: string, reason: string): Promise<Order> {
    if (actor.role !== 'customer' && actor.role !== 'admin') throw forbidden('cancelling an order');
    const order = await this.orders.findById(requireId('order_id', orderId));
    if (!order || !maySee(actor, order)) throw orderNotFound(orderId);
    order.cancel(optionalText('reason', reason, 500) || 'cancelled by the customer', this.clock.now(), this.ids.newId());
    if (order.newEvents().length > 0) await this.orders.update(order);
    return order;
  }
}
