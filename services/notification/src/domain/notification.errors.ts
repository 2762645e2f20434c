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

export const tooManyWatches = (limit: number, whose: 'caller' | 'replica') =>
  new NotificationError(
    'TRACKING.TOO_MANY_WATCHES',
    'resource_exhausted',
    whose === 'caller'
      ? `at most ${limit} orders may be watched at once by one caller; close a watch first`
      : `this replica is watching ${limit} orders already; try again shortly`,
    undefined,
    whose === 'caller' ? undefined : 1,
  );

export const watchExpired = (maxDurationMs: number) =>
  new NotificationError('TRACKING.WATCH_EXPIRED', 'unavailable', `a watch lasts at most ${maxDurationMs / 1000} s; watch again`);
