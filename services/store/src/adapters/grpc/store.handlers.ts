import { addLogContext } from '@fooddelivery/adapters/logger';
import { bindService, caller, type CallContext, type ServiceBinding } from '@fooddelivery/adapters/rpc';
import type { StoreOrder as WireStoreOrder } from '@fooddelivery/gen/fooddelivery/store/v1/store_order';
import { StoreServiceService } from '@fooddelivery/gen/fooddelivery/store/v1/store_service';
import type { StoreOrder, StoreOwnerAction } from '../../domain/store-order.js';
import type { ActOnStoreOrder } from '../../application/act-on-store-order.js';
import type { ListStoreOrders } from '../../application/list-store-orders.js';
import { domainStatus, wireStatus } from '../wire-status.js';

export interface StoreUseCases {
  actOnStoreOrder: ActOnStoreOrder;
  listStoreOrders: ListStoreOrders;
}

export function storeServiceBinding(useCases: StoreUseCases): ServiceBinding {
  const act =
    (action: StoreOwnerAction) => async (request: { storeId: string; orderId: string; reason?: string }, context: CallContext) => {
      addLogContext({ orderId: request.orderId });
      return {
        order: toWire(
          await useCases.actOnStoreOrder.execute(caller(context), action, request.storeId, request.orderId, request.reason ?? ''),
        ),
      };
    };
  return bindService(StoreServiceService, {
    listStoreOrders: async (request, context) => {
      const page = await useCases.listStoreOrders.execute(
        caller(context),
        request.storeId,
        domainStatus.get(request.status),
        request.pageSize,
        request.pageToken,
      );
      return { orders: page.orders.map(toWire), nextPageToken: page.nextCursor ?? '' };
    },
    acceptOrder: act('accept'),
    startCooking: act('startCooking'),
    startDelivery: act('startDelivery'),
    completeDelivery: act('completeDelivery'),
    rejectOrder: act('reject'),
  });
}

function toWire(order: StoreOrder): WireStoreOrder {
  const state = order.snapshot();
  return {
    orderId: state.orderId,
    storeId: state.storeId,
    customerId: state.customerId,
    items: state.items,
    total: state.total,
    deliveryAddress: state.deliveryAddress,
    status: wireStatus[state.status],
    statusReason: state.statusReason,
    receivedAt: state.receivedAt,
    updatedAt: state.updatedAt,
  };
}
