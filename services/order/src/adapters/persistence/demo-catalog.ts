import type { Store } from '../../domain/store.js';

const krw = (amountMinor: number) => ({ currencyCode: 'KRW', amountMinor });

/** Loaded on first start so a new installation has something to order. */
export const demoStores: Store[] = [
  {
    storeId: 'store-seoul-chicken',
    name: 'Seoul Fried Chicken',
    cuisine: 'korean',
    open: true,
    currencyCode: 'KRW',
    menu: [
      { menuItemId: 'fried-chicken', name: 'Fried chicken', price: krw(18000), available: true },
      { menuItemId: 'yangnyeom-chicken', name: 'Yangnyeom chicken', price: krw(19000), available: true },
      { menuItemId: 'pickled-radish', name: 'Pickled radish', price: krw(500), available: true },
      { menuItemId: 'cola', name: 'Cola 1.25 l', price: krw(2500), available: true },
      { menuItemId: 'snow-cheese-chicken', name: 'Snow cheese chicken', price: krw(21000), available: false },
    ],
  },
  {
    storeId: 'store-busan-noodles',
    name: 'Busan Noodle House',
    cuisine: 'korean',
    open: true,
    currencyCode: 'KRW',
    menu: [
      { menuItemId: 'milmyeon', name: 'Milmyeon', price: krw(9000), available: true },
      { menuItemId: 'dwaeji-gukbap', name: 'Dwaeji gukbap', price: krw(10000), available: true },
      { menuItemId: 'mandu', name: 'Steamed dumplings', price: krw(6000), available: true },
    ],
  },
  {
    storeId: 'store-jeju-grill',
    name: 'Jeju Black Pork Grill',
    cuisine: 'barbecue',
    open: false,
    currencyCode: 'KRW',
    menu: [{ menuItemId: 'black-pork-set', name: 'Black pork set for two', price: krw(42000), available: true }],
  },
];
