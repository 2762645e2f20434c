import type { Store } from '../domain/store.js';
import type { Catalog } from './ports.js';

/** The stores customers can order from (open or not). */
export class ListStores {
  constructor(private readonly catalog: Catalog) {}

  execute(): Promise<Store[]> {
    return this.catalog.listStores();
  }
}
