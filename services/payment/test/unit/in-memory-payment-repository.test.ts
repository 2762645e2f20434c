import { InMemoryPaymentRepository } from '../support/in-memory.js';
import { paymentRepositoryContract } from '../support/payment-repository.contract.js';

describe('InMemoryPaymentRepository (the repository contract the unit tests rely on)', () => {
  paymentRepositoryContract(async () => {
    const store = new InMemoryPaymentRepository();
    return { store, outbox: store, close: async () => {} };
  });
});
