import { expect } from 'chai';
import { priceOrder } from '../../src/domain/pricing.js';
import { chickenStore, closedStore } from '../support/in-memory.js';

describe('priceOrder', () => {
  it('prices every line from the menu', () => {
    const { items, total } = priceOrder(chickenStore, [
      { menuItemId: 'fried', quantity: 2 },
      { menuItemId: 'cola', quantity: 1 },
    ]);
    expect(items.map((item) => item.lineTotal.amountMinor)).to.deep.equal([36000, 2500]);
    expect(total).to.deep.equal({ currencyCode: 'KRW', amountMinor: 38500 });
  });

  it('refuses a closed store', () => {
    expect(() => priceOrder(closedStore, [{ menuItemId: 'fried', quantity: 1 }]))
      .to.throw('closed')
      .with.property('field', 'store_id');
  });

  it('names the line of an item that is not on the menu', () => {
    expect(() =>
      priceOrder(chickenStore, [
        { menuItemId: 'fried', quantity: 1 },
        { menuItemId: 'pizza', quantity: 1 },
      ]),
    )
      .to.throw('not on the menu')
      .with.property('field', 'lines[1].menu_item_id');
  });

  it('refuses a sold-out item as a failed precondition', () => {
    expect(() => priceOrder(chickenStore, [{ menuItemId: 'sold-out', quantity: 1 }]))
      .to.throw('sold out')
      .with.property('kind', 'failed_precondition');
  });
});
