import { bindService, caller, type ServiceBinding } from '@fooddelivery/adapters/rpc';
import { addLogContext } from '@fooddelivery/adapters/logger';
import {
  CancellationStatus as WireCancellation,
  OrderStatus as WireStatus,
  type Order as WireOrder,
  type Store as WireStore,
} from '@fooddelivery/gen/fooddelivery/order/v1/order';
import { OrderServiceService } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import type { CancellationStatus, Order, OrderStatus } from '../../domain/order.js';
import type { Store } from '../../domain/store.js';
import type { CancelOrder } from '../../application/cancel-order.js';
import type { GetMenu } from '../../application/get-menu.js';
import type { ListStores } from '../../application/list-stores.js';
import type { GetOrder } from '../../application/get-order.js';
import type { ListOrders } from '../../application/list-orders.js';
import type { PlaceOrder } from '../../application/place-order.js';

export interface OrderUseCases {
  listStores: ListStores;
  getMenu: GetMenu;
  placeOrder: PlaceOrder;
  getOrder: GetOrder;
  listOrders: ListOrders;
  cancelOrder: CancelOrder;
}

/** OrderService for gRPC and REST alike: generated types in, use cases, generated types out. */
export function orderServiceBinding(useCases: OrderUseCases): ServiceBinding {
  return bindService(OrderServiceService, {
    listStores: async () => ({ stores: (await useCases.listStores.execute()).map(toWireStore) }),
    getMenu: async (request) => {
      const store = await useCases.getMenu.execute(request.storeId);
      return { store: toWireStore(store), items: store.menu };
    },
    placeOrder: async (request, context) => {
      const order = await useCases.placeOrder.execute(caller(context), {
        customerId: request.customerId,
        storeId: request.storeId,
        lines: request.lines.map((line) => ({ menuItemId: line.menuItemId, quantity: line.quantity })),
        deliveryAddress: request.deliveryAddress,
        cardToken: request.cardToken,
        idempotencyKey: request.idempotencyKey || context.header('idempotency-key') || '',
      });
      addLogContext({ orderId: order.id });
      return { order: toWireOrder(order) };
    },
    getOrder: async (request, context) => {
      addLogContext({ orderId: request.orderId });
      return { order: toWireOrder(await useCases.getOrder.execute(caller(context), request.orderId)) };
    },
    listOrders: async (request, context) => {
      const page = await useCases.listOrders.execute(caller(context), request.customerId, request.pageSize, request.pageToken);
      return { orders: page.orders.map(toWireOrder), nextPageToken: page.nextCursor ?? '' };
    },
    cancelOrder: async (request, context) => {
      addLogContext({ orderId: request.orderId });
      return { order: toWireOrder(await useCases.cancelOrder.execute(caller(context), request.orderId, request.reason)) };
    },
  });
}

const wireStatus: Record<OrderStatus, WireStatus> = {
  paid: WireStatus.ORDER_STATUS_PAID,
  accepted: WireStatus.ORDER_STATUS_ACCEPTED,
  cooking: WireStatus.ORDER_STATUS_COOKING,
  delivering: WireStatus.ORDER_STATUS_DELIVERING,
  delivered: WireStatus.ORDER_STATUS_DELIVERED,
  cancelled: WireStatus.ORDER_STATUS_CANCELLED,
  rejected: WireStatus.ORDER_STATUS_REJECTED,
};

const wireCancellation: Record<CancellationStatus, WireCancellation> = {
  none: WireCancellation.CANCELLATION_STATUS_UNSPECIFIED,
  requested: WireCancellation.CANCELLATION_STATUS_REQUESTED,
  refused: WireCancellation.CANCELLATION_STATUS_REFUSED,
  accepted: WireCancellation.CANCELLATION_STATUS_ACCEPTED,
};

function toWireOrder(order: Order): WireOrder {
  const state = order.snapshot();
  return {
    orderId: state.orderId,
    customerId: state.customerId,
    storeId: state.storeId,
    items: state.items,
    total: state.total,
    deliveryAddress: state.deliveryAddress,
    status: wireStatus[state.status],
    paymentId: state.paymentId,
    placedAt: state.placedAt,
    updatedAt: state.updatedAt,
    statusReason: state.statusReason,
    cancellationStatus: wireCancellation[state.cancellation],
    cancellationRefusal: state.cancellationRefusal,
  };
}

function toWireStore(store: Store): WireStore {
  return { storeId: store.storeId, name: store.name, open: store.open, cuisine: store.cuisine };
}
