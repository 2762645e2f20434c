import type { Collection } from 'mongodb';
import type { Store } from '../../domain/store.js';
import type { Catalog } from '../../application/ports.js';
import { isDuplicateKey, type StoreDocument } from './order-database.js';

/** Stores and their menus, one document per store. */
export class MongoCatalog implements Catalog {
  constructor(private readonly stores: Collection<StoreDocument>) {}

  async listStores(): Promise<Store[]> {
    const documents = await this.stores.find({}).sort({ _id: 1 }).toArray();
    return documents.map(toStore);
  }

  async findStore(storeId: string): Promise<Store | undefined> {
    const document = await this.stores.findOne({ _id: storeId });
    return document ? toStore(document) : undefined;
  }

  /** Adds the stores that are missing; stores already there (maybe edited) are left alone. */
  async seed(stores: Store[]): Promise<number> {
    let added = 0;
    for (const store of stores) {
      const { storeId, ...fields } = store;
      try {
        const result = await this.stores.updateOne({ _id: storeId }, { $setOnInsert: fields }, { upsert: true });
        added += result.upsertedCount;
      } catch (error) {
        // Another replica seeded it at the same moment.
        if (!isDuplicateKey(error)) throw error;
      }
    }
    return added;
  }
}

function toStore(document: StoreDocument): Store {
  return {
    storeId: document._id,
    name: document.name,
    cuisine: document.cuisine,
    open: document.open,
    currencyCode: document.currencyCode,
    menu: document.menu,
  };
}
