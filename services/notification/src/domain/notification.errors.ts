type Kind = 'invalid_argument' | 'not_found' | 'permission_denied' | 'unavailable';

/** Errors of the notification context; `code` is stable for clients, `kind` decides the status. */
export class NotificationError extends Error {
  constructor(
    readonly code: string,
    readonly kind: Kind,
    message: string,
    readonly field?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'NotificationError';
  }
}

export const invalidField = (field: string, problem: string) =>
  new NotificationError('NOTIFICATION.INVALID_ARGUMENT', 'invalid_argument', `${field}: ${problem}`, field);

export const trackingNotFound = (orderId: string) =>
  new NotificationError('TRACKING.NOT_FOUND', 'not_found', `order ${orderId} is not tracked`, 'order_id');

export const trackingContended = (orderId: string) =>
  new NotificationError('TRACKING.CONCURRENT_UPDATE', 'unavailable', `tracking of order ${orderId} kept changing; try again`, undefined, 1);

export const watchInterrupted = () =>
  new NotificationError('TRACKING.WATCH_INTERRUPTED', 'unavailable', 'the service is restarting; watch again shortly', undefined, 1);
