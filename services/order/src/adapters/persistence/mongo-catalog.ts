import type { MongoOrm } from '@fooddelivery/adapters/orm';
import type { Store } from '../../domain/store.js';
import type { Catalog } from '../../application/ports.js';
import { StoreSchema, type StoreDocument } from './order.schema.js';

export class MongoCatalog implements Catalog {
  constructor(private readonly orm: MongoOrm) {}

  async listStores(): Promise<Store[]> {
    const documents = await this.orm.em.fork().find(StoreSchema, {}, { orderBy: { _id: 1 } as never });
    return documents.map(toStore);
  }

  async findStore(storeId: string): Promise<Store | undefined> {
    const document = await this.orm.em.fork().findOne(StoreSchema, { _id: storeId });
    return document ? toStore(document) : undefined;
  }

  /** Adds the stores that are missing; stores already there (maybe edited) are left alone. */
  async seed(stores: Store[]): Promise<number> {
    const collection = this.orm.em.getConnection().getCollection<StoreDocument>('stores');
    let added = 0;
    for (const store of stores) {
      const result = await collection.updateOne(
        { _id: store.storeId } as never,
        {
          $setOnInsert: { name: store.name, cuisine: store.cuisine, open: store.open, currencyCode: store.currencyCode, menu: store.menu },
        },
        { upsert: true },
      );
      added += result.upsertedCount;
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
