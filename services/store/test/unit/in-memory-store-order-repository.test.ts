import { InMemoryStoreOrderRepository } from '../support/in-memory.js';
import { storeOrderRepositoryContract } from '../support/store-order-repository.contract.js';

describe('InMemoryStoreOrderRepository (the store order repository contract)', () => {
  storeOrderRepositoryContract(async () => {
    const orders = new InMemoryStoreOrderRepository();
    return {
      orders,
      eventsOf: async (orderId) =>
        orders.outbox.filter((event) => event.orderId === orderId).map((event) => `fooddelivery.store.${subject(event.type)}`),
      close: async () => {},
    };
  });
});

function subject(type: string): string {
  return (
    {
      OrderAccepted: 'accepted',
      CookingStarted: 'cooking_started',
      DeliveryStarted: 'delivery_started',
      DeliveryCompleted: 'delivery_completed',
      OrderRejected: 'rejected',
      DeliveryCancelled: 'delivery_cancelled',
      CancellationRefused: 'cancellation_refused',
    }[type] ?? type
  );
}
