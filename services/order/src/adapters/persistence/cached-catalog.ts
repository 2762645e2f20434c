import type { Store } from '../../domain/store.js';
import type { Catalog } from '../../application/ports.js';

/**
 * Keeps the whole catalog in memory for `ttlMs`: it is small, read on every order and rarely
 * changes, so a menu edit shows after at most `ttlMs`.
 */
export class CachedCatalog implements Catalog {
  private stores: Promise<Map<string, Store>> | undefined;
  private loadedAt = 0;

  constructor(
    private readonly source: Catalog,
    private readonly ttlMs: number,
  ) {}

  async listStores(): Promise<Store[]> {
    return [...(await this.current()).values()];
  }

  async findStore(storeId: string): Promise<Store | undefined> {
    return (await this.current()).get(storeId);
  }

  private current(): Promise<Map<string, Store>> {
    if (!this.stores || Date.now() - this.loadedAt > this.ttlMs) {
      this.loadedAt = Date.now();
      const loading = this.source.listStores().then((stores) => new Map(stores.map((store) => [store.storeId, store])));
      // A failed load is not kept: the next call tries again.
      loading.catch(() => {
        if (this.stores === loading) this.stores = undefined;
      });
      this.stores = loading;
    }
    return this.stores;
  }
}
