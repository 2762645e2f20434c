import { EntitySchema } from '@mikro-orm/core';
import type { OrderStatus } from '../../domain/order.js';

/** An event waiting in its order's document until the relay has published it. */
export interface OutboxEntry {
  eventId: string;
  eventType: string;
  subject: string;
  /** Protobuf bytes, base64. */
  payload: string;
}

/** One order per document; its pending events live inside it, so both are written atomically. */
export interface OrderDocument {
  _id: string;
  customerId: string;
  storeId: string;
  items: unknown[];
  total: { currencyCode: string; amountMinor: number };
  deliveryAddress: string;
  status: OrderStatus;
  statusReason: string;
  paymentId: string;
  placedAt: Date;
  updatedAt: Date;
  version: number;
  outbox: OutboxEntry[];
  hasPendingEvents: boolean;
}

export const OrderSchema = new EntitySchema<OrderDocument>({
  name: 'OrderDocument',
  collection: 'orders',
  properties: {
    _id: { type: 'string', primary: true },
    customerId: { type: 'string', index: true },
    storeId: { type: 'string' },
    items: { type: 'json' },
    total: { type: 'json' },
    deliveryAddress: { type: 'string' },
    status: { type: 'string' },
    statusReason: { type: 'string' },
    paymentId: { type: 'string' },
    placedAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
    version: { type: 'number' },
    outbox: { type: 'json' },
    hasPendingEvents: { type: 'boolean', index: true },
  },
});

export interface StoreDocument {
  _id: string;
  name: string;
  cuisine: string;
  open: boolean;
  currencyCode: string;
  menu: Array<{ menuItemId: string; name: string; price: { currencyCode: string; amountMinor: number }; available: boolean }>;
}

export const StoreSchema = new EntitySchema<StoreDocument>({
  name: 'StoreDocument',
  collection: 'stores',
  properties: {
    _id: { type: 'string', primary: true },
    name: { type: 'string' },
    cuisine: { type: 'string' },
    open: { type: 'boolean' },
    currencyCode: { type: 'string' },
    menu: { type: 'json' },
  },
});
