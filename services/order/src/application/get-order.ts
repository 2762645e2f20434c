import type { Order } from '../domain/order.js';
import { orderNotFound } from '../domain/order.errors.js';
import { maySee, type Actor } from './actor.js';
import { AbandonedOrder, type OrderRepository } from './ports.js';
import { requireId } from './validation.js';

export class GetOrder {
  constructor(private readonly orders: OrderRepository) {}

  async execute(actor: Actor, orderId: string): Promise<Order> {
    const order = await this.orders.load(requireId('order_id', orderId));
    if (!order || order instanceof AbandonedOrder || !maySee(actor, order)) throw orderNotFound(orderId);
    return order;
  }
}
