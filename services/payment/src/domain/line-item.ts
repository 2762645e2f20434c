import type { Money } from './money.js';

/** One line of the order being paid, as the order service priced it. */
export interface LineItem {
  menuItemId: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}
