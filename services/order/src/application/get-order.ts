import type { Order } from '../domain/order.js';
import { orderNotFound } from '../domain/order.errors.js';
import type { OrderPage, OrderRepository } from './ports.js';
import { pageSize, requireId } from './validation.js';

export class GetOrder {
  constructor(private readonly orders: OrderRepository) {}

  async execute(orderId: string): Promise<Order> {
    const order = await this.orders.findById(requireId('order_id', orderId));
    if (!order) throw orderNotFound(orderId);
    return order;
  }
}

/** A customer's own orders, newest first. */
export class ListOrders {
  constructor(private readonly orders: OrderRepository) {}

  execute(customerId: string, size: number, pageToken: string): Promise<OrderPage> {
    return this.orders.listByCustomer(requireId('customer_id', customerId), pageSize(size), pageToken || undefined);
  }
}
