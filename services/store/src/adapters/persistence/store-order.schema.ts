import { EntitySchema } from '@mikro-orm/core';
import type { StoreOrderState } from '../../domain/store-order.js';

/** A store order is stored as its state, one row each. */
export type StoreOrderRow = StoreOrderState;

export const StoreOrderSchema = new EntitySchema<StoreOrderRow>({
  name: 'StoreOrderRow',
  tableName: 'store_orders',
  indexes: [{ properties: ['storeId', 'receivedAt'] }],
  properties: {
    orderId: { type: 'string', primary: true, length: 64 },
    storeId: { type: 'string', length: 64 },
    customerId: { type: 'string', length: 64 },
    items: { type: 'json' },
    total: { type: 'json' },
    deliveryAddress: { type: 'string', length: 500 },
    status: { type: 'string', length: 20 },
    statusReason: { type: 'string', length: 500 },
    receivedAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
    version: { type: 'integer' },
  },
});
