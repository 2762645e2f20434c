import { customerFor, type Actor } from './actor.js';
import type { OrderPage, OrderRepository } from './ports.js';
import { pageSize, requireId } from './validation.js';

/** A customer's own orders, newest first. */
export class ListOrders {
  constructor(private readonly orders: OrderRepository) {}

  async execute(actor: Actor, customerId: string, size: number, pageToken: string): Promise<OrderPage> {
    const customer = customerFor(actor, customerId, 'listing orders');
    return this.orders.listByCustomer(requireId('customer_id', customer), pageSize(size), pageToken || undefined);
  }
}
