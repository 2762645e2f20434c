import type { Money } from './money.js';

/** One priced line of an order, as the store receives it. */
export interface LineItem {
  menuItemId: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}
