import type { NotificationState, RetryPolicy } from '../domain/notification.js';
import { NotifierError, type Clock, type NotificationKey, type NotificationRepository, type Notifier } from './ports.js';

export interface DeliveryPolicy extends RetryPolicy {
  /** How long an attempt may take before another dispatcher may start one: longer than the provider's timeout. */
  leaseMs: number;
}

/**
 * One delivery attempt of a pending notification, if it is due. The attempt is claimed with a
 * compare-and-set before the provider is called, so concurrent dispatchers (replicas) do not
 * both send it; the provider's idempotency key (the notification id) covers a crash between its
 * answer and the record of it.
 */
export interface DeliveryResult {
  /** When to look at the notification again; absent once nothing is left to do. */
  retryAt?: Date;
  /** The notification after the attempt, when one was made. */
  attempted?: Readonly<NotificationState>;
}

export class DeliverNotification {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
    private readonly policy: DeliveryPolicy,
  ) {}

  async execute(key: NotificationKey): Promise<DeliveryResult> {
    const found = await this.notifications.find(key);
    if (!found || !found.value.isPending) return {};
    const notification = found.value;
    const now = this.clock.now();
    if (!notification.isDue(now)) return { retryAt: notification.dueAt()! };

    notification.startAttempt(now, this.policy.leaseMs);
    const claimed = await this.notifications.update(notification, found.version);
    // Someone else changed it meanwhile: look again at once.
    if (claimed === undefined) return { retryAt: now };

    const { notificationId, customerId, text } = notification.snapshot();
    try {
      await this.notifier.send({ notificationId, recipient: customerId, text });
      notification.delivered(this.clock.now());
    } catch (error) {
      const permanent = error instanceof NotifierError && error.permanent;
      notification.attemptFailed(error instanceof Error ? error.message : String(error), this.clock.now(), this.policy, permanent);
    }
    const attempted = notification.snapshot();
    if ((await this.notifications.update(notification, claimed)) === undefined) return { retryAt: this.clock.now(), attempted };
    const retryAt = notification.dueAt();
    return retryAt ? { retryAt, attempted } : { attempted };
  }
}
