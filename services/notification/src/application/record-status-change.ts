import { messageText, type Language } from '../domain/message-text.js';
import { Notification } from '../domain/notification.js';
import { trackingContended } from '../domain/notification.errors.js';
import { OrderTracking, type StatusChange } from '../domain/tracking.js';
import type { Clock, NotificationRepository, TrackingRepository } from './ports.js';

export interface RecordedChange {
  /** Whether the tracking view changed (false for a repeated or stale copy of a step). */
  viewChanged: boolean;
  /** created: a message is now pending; exists: recorded before; no_recipient: no customer known to send it to. */
  notification: 'created' | 'exists' | 'no_recipient';
}

/** Compare-and-set rounds before giving up (the event is then redelivered). */
const MAX_WRITE_ROUNDS = 20;

/**
 * Policy on every customer-facing status event: merge it into the order's tracking view and
 * record the customer's message as pending. Sending is left to the dispatcher, so a slow or
 * failing provider never holds the view up. Safe to run twice for the same event.
 */
export class RecordStatusChange {
  constructor(
    private readonly trackings: TrackingRepository,
    private readonly notifications: NotificationRepository,
    private readonly clock: Clock,
    private readonly settings: { language: Language; channel: string },
  ) {}

  async execute(change: StatusChange): Promise<RecordedChange> {
    const { tracking, changed } = await this.merge(change);
    // Also when the view did not change: a redelivery after a crash between the two writes
    // must still leave the message recorded.
    const customerId = change.customerId || tracking.customerId;
    if (!customerId) return { viewChanged: changed, notification: 'no_recipient' };
    const details = tracking.snapshot();
    const text = messageText(change.status, this.settings.language, {
      orderId: change.orderId,
      reason: change.reason,
      ...((change.total ?? details.total) && { total: change.total ?? details.total }),
    });
    const notification = Notification.record(
      { orderId: change.orderId, customerId, status: change.status, text, channel: this.settings.channel },
      this.clock.now(),
    );
    const { created } = await this.notifications.createIfAbsent(notification);
    return { viewChanged: changed, notification: created ? 'created' : 'exists' };
  }

  /** Read, merge, compare-and-set; another handler's write in between means another round. */
  private async merge(change: StatusChange): Promise<{ tracking: OrderTracking; changed: boolean }> {
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      const found = await this.trackings.find(change.orderId);
      if (!found) {
        const tracking = OrderTracking.start(change);
        if ((await this.trackings.create(tracking)) !== undefined) return { tracking, changed: true };
        continue;
      }
      const tracking = found.value;
      if (!tracking.apply(change)) return { tracking, changed: false };
      if ((await this.trackings.update(tracking, found.version)) !== undefined) return { tracking, changed: true };
    }
    throw trackingContended(change.orderId);
  }
}
