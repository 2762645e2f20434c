import { InMemoryOrderLog } from '../support/in-memory.js';
import { orderLogContract } from '../support/order-log.contract.js';

describe('InMemoryOrderLog (the order log contract)', () => {
  orderLogContract(async () => {
    const log = new InMemoryOrderLog();
    return { orders: log, attempts: log, close: async () => {} };
  });
});
