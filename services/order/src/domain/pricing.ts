import { multiply, sum, type Money } from './money.js';
import type { LineItem } from './order.js';
import { invalidField, menuItemUnavailable, storeClosed } from './order.errors.js';
import type { Store } from './store.js';

export interface RequestedLine {
  menuItemId: string;
  quantity: number;
}

/** Prices the requested lines from the store's menu; the client never sets a price. */
export function priceOrder(store: Store, lines: RequestedLine[]): { items: LineItem[]; total: Money } {
  if (!store.open) throw storeClosed(store.storeId);
  const items = lines.map((line, index) => {
    const field = `lines[${index}].menu_item_id`;
    const menuItem = store.menu.find((item) => item.menuItemId === line.menuItemId);
    if (!menuItem) throw invalidField(field, `${line.menuItemId} is not on the menu of ${store.storeId}`);
    if (!menuItem.available) throw menuItemUnavailable(field, line.menuItemId);
    return {
      menuItemId: menuItem.menuItemId,
      name: menuItem.name,
      quantity: line.quantity,
      unitPrice: menuItem.price,
      lineTotal: multiply(menuItem.price, line.quantity),
    };
  });
  return {
    items,
    total: sum(
      store.currencyCode,
      items.map((item) => item.lineTotal),
    ),
  };
}
