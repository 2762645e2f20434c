import type { Store } from '../domain/store.js';
import { storeNotFound } from '../domain/order.errors.js';
import type { Catalog } from './ports.js';
import { requireId } from './validation.js';

export class BrowseCatalog {
  constructor(private readonly catalog: Catalog) {}

  listStores(): Promise<Store[]> {
    return this.catalog.listStores();
  }

  async getMenu(storeId: string): Promise<Store> {
    const store = await this.catalog.findStore(requireId('store_id', storeId));
    if (!store) throw storeNotFound(storeId);
    return store;
  }
}
