import { addLogContext } from '@fooddelivery/adapters/logger';
import { bindService, caller, type CallContext, type ServiceBinding } from '@fooddelivery/adapters/rpc';
import {
  DeliveryState as WireDeliveryState,
  TrackingStatus as WireStatus,
  type Notification as WireNotification,
  type OrderTracking as WireTracking,
} from '@fooddelivery/gen/fooddelivery/notification/v1/tracking';
import { TrackingServiceService } from '@fooddelivery/gen/fooddelivery/notification/v1/tracking_service';
import type { GetOrderTracking } from '../../application/get-order-tracking.js';
import type { ListNotifications } from '../../application/list-notifications.js';
import type { WatchOrder } from '../../application/watch-order.js';
import type { DeliveryState, Notification } from '../../domain/notification.js';
import { watchExpired, watchInterrupted } from '../../domain/notification.errors.js';
import type { OrderTracking, TrackingStatus } from '../../domain/tracking.js';

const wireStatus: Record<TrackingStatus, WireStatus> = {
  paid: WireStatus.TRACKING_STATUS_PAID,
  accepted: WireStatus.TRACKING_STATUS_ACCEPTED,
  cooking: WireStatus.TRACKING_STATUS_COOKING,
  delivering: WireStatus.TRACKING_STATUS_DELIVERING,
  delivered: WireStatus.TRACKING_STATUS_DELIVERED,
  cancelled: WireStatus.TRACKING_STATUS_CANCELLED,
  rejected: WireStatus.TRACKING_STATUS_REJECTED,
  refunded: WireStatus.TRACKING_STATUS_REFUNDED,
};

const wireDeliveryState: Record<DeliveryState, WireDeliveryState> = {
  pending: WireDeliveryState.DELIVERY_STATE_PENDING,
  sent: WireDeliveryState.DELIVERY_STATE_SENT,
  failed: WireDeliveryState.DELIVERY_STATE_FAILED,
};

export interface TrackingUseCases {
  getOrderTracking: GetOrderTracking;
  listNotifications: ListNotifications;
  watchOrder: WatchOrder;
}

/**
 * gRPC (and, through the kit, REST and server-sent events) → use cases. `stopping` ends open
 * watches when the service shuts down, so they do not hold the drain up.
 */
export function trackingServiceBinding(useCases: TrackingUseCases, stopping: AbortSignal): ServiceBinding {
  return bindService(TrackingServiceService, {
    getOrderTracking: async (request, context) => {
      addLogContext({ orderId: request.orderId });
      return { tracking: toWireTracking(await useCases.getOrderTracking.execute(caller(context), request.orderId)) };
    },
    listNotifications: async (request, context) => {
      const page = await useCases.listNotifications.execute(caller(context), request.customerId, request.pageSize, request.pageToken);
      return { notifications: page.notifications.map(toWireNotification), nextPageToken: page.nextCursor ?? '' };
    },
    watchOrder: async (request, context, send) => {
      addLogContext({ orderId: request.orderId });
      const signal = watchSignal(context, stopping);
      const outcome = await useCases.watchOrder.execute(caller(context), request.orderId, signal, (tracking) =>
        send({ tracking: toWireTracking(tracking) }),
      );
      // Not "finished": UNAVAILABLE tells the client to watch again (on another replica, or after the restart).
      if (outcome === 'aborted' && stopping.aborted) throw watchInterrupted();
      if (outcome === 'expired') throw watchExpired(useCases.watchOrder.maxDurationMs);
    },
  });
}

/** Ends a watch when the caller leaves, its deadline passes, or the service stops. */
function watchSignal(context: CallContext, stopping: AbortSignal): AbortSignal {
  const signals = [context.signal, stopping];
  if (context.deadline) signals.push(AbortSignal.timeout(Math.max(0, context.deadline.getTime() - Date.now())));
  return AbortSignal.any(signals);
}

export function toWireTracking(tracking: OrderTracking): WireTracking {
  const state = tracking.snapshot();
  return {
    orderId: state.orderId,
    customerId: state.customerId,
    storeId: state.storeId,
    total: state.total,
    status: wireStatus[tracking.status],
    timeline: tracking.timeline.map((step) => ({ status: wireStatus[step.status], occurredAt: step.occurredAt, reason: step.reason })),
    updatedAt: tracking.updatedAt,
  };
}

function toWireNotification(notification: Notification): WireNotification {
  const state = notification.snapshot();
  return {
    notificationId: state.notificationId,
    customerId: state.customerId,
    orderId: state.orderId,
    status: wireStatus[state.status],
    text: state.text,
    channel: state.channel,
    deliveryState: wireDeliveryState[state.deliveryState],
    attempts: state.attempts,
    lastError: state.lastError,
    createdAt: state.createdAt,
    sentAt: state.sentAt,
  };
}
