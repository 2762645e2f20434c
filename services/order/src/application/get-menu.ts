import { storeNotFound } from '../domain/order.errors.js';
import type { Store } from '../domain/store.js';
import type { Catalog } from './ports.js';
import { requireId } from './validation.js';

/** A store with its menu. */
export class GetMenu {
  constructor(private readonly catalog: Catalog) {}

  async execute(storeId: string): Promise<Store> {
    const store = await this.catalog.findStore(requireId('store_id', storeId));
    if (!store) throw storeNotFound(storeId);
    return store;
  }
}
