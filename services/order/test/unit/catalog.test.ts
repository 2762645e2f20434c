import { expect } from 'chai';
import { GetMenu } from '../../src/application/get-menu.js';
import { ListStores } from '../../src/application/list-stores.js';
import { InMemoryCatalog, chickenStore, closedStore } from '../support/in-memory.js';

describe('ListStores and GetMenu', () => {
  const catalog = new InMemoryCatalog([chickenStore, closedStore]);

  it('lists every store, open or closed', async () => {
    expect((await new ListStores(catalog).execute()).map((store) => [store.storeId, store.open])).to.deep.equal([
      ['store-chicken', true],
      ['store-closed', false],
    ]);
  });

  it('gives a store with its menu, sold-out items included', async () => {
    const store = await new GetMenu(catalog).execute('store-chicken');
    expect(store.menu.map((item) => [item.menuItemId, item.available])).to.deep.include(['sold-out', false]);
  });

  it('answers NOT_FOUND for an unknown store and INVALID_ARGUMENT for a bad id, naming store_id', async () => {
    expect(await new GetMenu(catalog).execute('store-nowhere').catch((error: Error) => error)).to.include({
      kind: 'not_found',
      field: 'store_id',
    });
    expect(await new GetMenu(catalog).execute('no spaces').catch((error: Error) => error)).to.include({
      kind: 'invalid_argument',
      field: 'store_id',
    });
  });
});
