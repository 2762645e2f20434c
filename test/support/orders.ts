import type { PlaceOrderRequest } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { randomUUID } from 'node:crypto';

/** A valid order from the demo catalog (2 fried chicken + 1 cola = 38,500 KRW) for a fresh customer. */
export const anOrder = (overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  customerId: `c-${randomUUID().slice(0, 8)}`,
  storeId: 'store-seoul-chicken',
  lines: [
    { menuItemId: 'fried-chicken', quantity: 2 },
    { menuItemId: 'cola', quantity: 1 },
  ],
  deliveryAddress: '152 Teheran-ro, Gangnam-gu, Seoul',
  cardToken: 'tok_visa',
  idempotencyKey: '',
  ...overrides,
});
