import { DomainError } from '@fooddelivery/kernel/domain-error';
import { fieldError } from '@fooddelivery/kernel/request-rules';

/** Errors of the notification context. */
export class NotificationError extends DomainError {}

export const invalidField = fieldError('NOTIFICATION', NotificationError);

export const trackingNotFound = (orderId: string) =>
  new NotificationError('TRACKING.NOT_FOUND', 'not_found', `order ${orderId} is not tracked`, 'order_id');

export const trackingContended = (orderId: string) =>
  new NotificationError('TRACKING.CONCURRENT_UPDATE', 'unavailable', `tracking of order ${orderId} kept changing; try again`, undefined, 1);

export const watchInterrupted = () =>
  new NotificationError('TRACKING.WATCH_INTERRUPTED', 'unavailable', 'the service is restarting; watch again shortly', undefined, 1);
