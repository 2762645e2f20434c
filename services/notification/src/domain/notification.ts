import type { TrackingStatus } from './tracking.js';

export type DeliveryState = 'pending' | 'sent' | 'failed';

export interface NotificationState {
  /** orderId + status: one message per status change of an order, ever. */
  notificationId: string;
  customerId: string;
  orderId: string;
  status: TrackingStatus;
  text: string;
  channel: string;
  deliveryState: DeliveryState;
  attempts: number;
  lastError: string;
  createdAt: Date;
  sentAt?: Date;
  /** A pending message is not sent before this. */
  nextAttemptAt: Date;
  /** While an attempt is under way, no other dispatcher starts one before this. */
  leaseUntil?: Date;
}

export interface RetryPolicy {
  /** Delays after each failed attempt; the last one repeats. */
  backoffMs: readonly number[];
  maxAttempts: number;
}

export function notificationId(orderId: string, status: TrackingStatus): string {
  return `${orderId}:${status}`;
}

/** A message to the customer about one status change, and how its delivery goes. */
export class Notification {
  private constructor(private state: NotificationState) {}

  static restore(state: NotificationState): Notification {
    return new Notification({ ...state });
  }

  static record(details: { orderId: string; customerId: string; status: TrackingStatus; text: string; channel: string }, now: Date) {
    return new Notification({
      ...details,
      notificationId: notificationId(details.orderId, details.status),
      deliveryState: 'pending',
      attempts: 0,
      lastError: '',
      createdAt: now,
      nextAttemptAt: now,
    });
  }

  get id(): string {
    return this.state.notificationId;
  }

  get isPending(): boolean {
    return this.state.deliveryState === 'pending';
  }

  snapshot(): Readonly<NotificationState> {
    return this.state;
  }

  /** When an attempt may start; undefined once it is sent or given up. */
  dueAt(): Date | undefined {
    if (!this.isPending) return undefined;
    const lease = this.state.leaseUntil?.getTime() ?? 0;
    return new Date(Math.max(this.state.nextAttemptAt.getTime(), lease));
  }

  isDue(now: Date): boolean {
    const due = this.dueAt();
    return due !== undefined && due.getTime() <= now.getTime();
  }

  /** Counts the attempt before it is made, so a crash mid-send still shows it. */
  startAttempt(now: Date, leaseMs: number): void {
    this.state = { ...this.state, attempts: this.state.attempts + 1, leaseUntil: new Date(now.getTime() + leaseMs) };
  }

  delivered(now: Date): void {
    const { leaseUntil: _, ...rest } = this.state;
    this.state = { ...rest, deliveryState: 'sent', sentAt: now, lastError: '' };
  }

  /** A failed attempt: retried after the next delay, or given up (kept as failed) when retrying cannot help. */
  attemptFailed(error: string, now: Date, policy: RetryPolicy, permanent: boolean): void {
    const { leaseUntil: _, ...rest } = this.state;
    const giveUp = permanent || this.state.attempts >= policy.maxAttempts;
    const delay = policy.backoffMs[Math.min(this.state.attempts, policy.backoffMs.length) - 1] ?? 0;
    this.state = {
      ...rest,
      lastError: error.slice(0, 500),
      deliveryState: giveUp ? 'failed' : 'pending',
      nextAttemptAt: giveUp ? now : new Date(now.getTime() + delay),
    };
  }
}
