import type { Order } from '../domain/order.js';
import { orderNotFound } from '../domain/order.errors.js';
import { customerFor, maySee, type Actor } from './actor.js';
import type { OrderPage, OrderRepository } from './ports.js';
import { pageSize, requireId } from './validation.js';

export class GetOrder {
  constructor(private readonly orders: OrderRepository) {}

  async execute(actor: Actor, orderId: string): Promise<Order> {
    const order = await this.orders.findById(requireId('order_id', orderId));
    if (!order || !maySee(actor, order)) throw orderNotFound(orderId);
    return order;
  }
}

/** A customer's own orders, newest first. */
export class ListOrders {
  constructor(private readonly orders: OrderRepository) {}

  execute(actor: Actor, customerId: string, size: number, pageToken: string): Promise<OrderPage> {
    const customer = customerFor(actor, customerId, 'listing orders');
    return this.orders.listByCustomer(requireId('customer_id', customer), pageSize(size), pageToken || undefined);
  }
}
