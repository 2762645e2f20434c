import type { Money } from './money.js';

export interface MenuItem {
  menuItemId: string;
  name: string;
  price: Money;
  available: boolean;
}

/** A restaurant of the catalog with its menu. */
export interface Store {
  storeId: string;
  name: string;
  cuisine: string;
  open: boolean;
  currencyCode: string;
  menu: MenuItem[];
}
