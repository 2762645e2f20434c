import type { Money } from './money.js';

/** One priced line of an order. */
export interface LineItem {
  menuItemId: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}
