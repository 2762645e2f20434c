import type { EventSubscription } from '@fooddelivery/adapters/jetstream';
import type { Logger } from '@fooddelivery/adapters/logger';
import { DeliverNotification } from './application/deliver-notification.js';
import { GetOrderTracking } from './application/get-order-tracking.js';
import { ListNotifications } from './application/list-notifications.js';
import type { Clock, NotificationRepository, Notifier, TrackingRepository } from './application/ports.js';
import { RecordStatusChange } from './application/record-status-change.js';
import { WatchOrder } from './application/watch-order.js';
import type { Language } from './domain/message-text.js';
import { onStatusEvent, trackingConsumers } from './adapters/events/track-status.consumer.js';
import { trackingServiceBinding } from './adapters/grpc/tracking.handlers.js';

/** What the notification context needs from the outside world. */
export interface NotificationPorts {
  trackings: TrackingRepository;
  notifications: NotificationRepository;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
}

export interface NotificationSettings {
  language: Language;
  /** Delays after each failed delivery attempt; the last one repeats until maxAttempts. */
  backoffMs: number[];
  maxAttempts: number;
  /** How long one send may take before another replica may try the same message. */
  leaseMs: number;
}

/**
 * The notification context wired to its ports: the tracking view and the customer's messages,
 * the RPCs that read them and the events that feed them. main.ts passes the real adapters; tests
 * and the saga simulation in-memory ones.
 */
export function buildApplication(ports: NotificationPorts, settings: NotificationSettings, stopping: AbortSignal) {
  const useCases = {
    getOrderTracking: new GetOrderTracking(ports.trackings),
    listNotifications: new ListNotifications(ports.notifications),
    watchOrder: new WatchOrder(ports.trackings),
    recordStatusChange: new RecordStatusChange(ports.trackings, ports.notifications, ports.clock, {
      language: settings.language,
      channel: ports.notifier.channel,
    }),
    deliverNotification: new DeliverNotification(ports.notifications, ports.notifier, ports.clock, {
      backoffMs: settings.backoffMs,
      maxAttempts: settings.maxAttempts,
      leaseMs: settings.leaseMs,
    }),
  };
  const subscriptions: EventSubscription[] = trackingConsumers.map((consumer) => ({
    ...consumer,
    handle: onStatusEvent(useCases.recordStatusChange, ports.logger),
  }));
  return { useCases, subscriptions, bindings: [trackingServiceBinding(useCases, stopping)] };
}
