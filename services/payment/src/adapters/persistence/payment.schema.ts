import { EntitySchema } from '@mikro-orm/core';
import type { LineItem, PaymentStatus } from '../../domain/payment.js';

/** One payment per order: `order_id` is unique, so a second payment for an order cannot be stored. */
export interface PaymentRow {
  paymentId: string;
  orderId: string;
  customerId: string;
  currencyCode: string;
  amountMinor: number;
  status: PaymentStatus;
  statusReason: string;
  storeId: string;
  items: LineItem[];
  deliveryAddress: string;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export const PaymentSchema = new EntitySchema<PaymentRow>({
  name: 'PaymentRow',
  tableName: 'payments',
  properties: {
    paymentId: { type: 'string', length: 64, primary: true },
    orderId: { type: 'string', length: 64, unique: 'payments_order_id_unique' },
    customerId: { type: 'string', length: 64 },
    currencyCode: { type: 'string', length: 3 },
    amountMinor: { type: 'integer' },
    status: { type: 'string', length: 16 },
    statusReason: { type: 'text' },
    storeId: { type: 'string', length: 64 },
    items: { type: 'json' },
    deliveryAddress: { type: 'text' },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime' },
    version: { type: 'integer' },
  },
});
