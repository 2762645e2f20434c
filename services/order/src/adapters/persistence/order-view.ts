import type { OrderState } from '../../domain/order.js';
import type { OrderViewDocument } from './order-database.js';

export function toView(state: Readonly<OrderState>): OrderViewDocument {
  const { orderId, ...rest } = state;
  return { _id: orderId, ...rest };
}

export function fromView(view: OrderViewDocument): OrderState {
  const { _id, ...rest } = view;
  return {
    ...rest,
    orderId: _id,
    total: { currencyCode: rest.total.currencyCode, amountMinor: Number(rest.total.amountMinor) },
    placedAt: new Date(rest.placedAt),
    updatedAt: new Date(rest.updatedAt),
  };
}
