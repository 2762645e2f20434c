import type {
  Clock,
  NotificationKey,
  NotificationPage,
  NotificationRepository,
  Notifier,
  OutgoingMessage,
  TrackingBacklog,
  TrackingRepository,
  Versioned,
} from '../../src/application/ports.js';
import { Notification, type NotificationState } from '../../src/domain/notification.js';
import { invalidField } from '../../src/domain/notification.errors.js';
import { OrderTracking, type OrderTrackingState } from '../../src/domain/tracking.js';

/** Trackings in a map, with the same compare-and-set and watch behaviour as the KV adapter. */
export class InMemoryTrackingRepository implements TrackingRepository {
  private readonly stored = new Map<string, { state: OrderTrackingState; version: number }>();
  private readonly watchers = new Set<{ orderId: string; push(tracking: OrderTracking): void }>();
  private revision = 0;
  /** Runs before each write; a test can write here to simulate a concurrent handler. */
  beforeWrite: ((orderId: string) => Promise<void>) | undefined;
  writes = 0;
  conflicts = 0;

  async find(orderId: string): Promise<Versioned<OrderTracking> | undefined> {
    const found = this.stored.get(orderId);
    return found && { value: OrderTracking.restore(structuredClone(found.state)), version: found.version };
  }

  async read(orderId: string): Promise<OrderTracking | undefined> {
    return (await this.find(orderId))?.value;
  }

  async create(tracking: OrderTracking): Promise<number | undefined> {
    await this.beforeWrite?.(tracking.orderId);
    if (this.stored.has(tracking.orderId)) {
      this.conflicts++;
      return undefined;
    }
    return this.write(tracking);
  }

  async update(tracking: OrderTracking, version: number): Promise<number | undefined> {
    await this.beforeWrite?.(tracking.orderId);
    if (this.stored.get(tracking.orderId)?.version !== version) {
      this.conflicts++;
      return undefined;
    }
    return this.write(tracking);
  }

  async *watch(orderId: string, signal: AbortSignal): AsyncIterable<OrderTracking> {
    const queue: OrderTracking[] = [];
    let wake: (() => void) | undefined;
    const watcher = {
      orderId,
      push: (tracking: OrderTracking) => {
        queue.push(tracking);
        wake?.();
      },
    };
    const current = await this.find(orderId);
    if (current) queue.push(current.value);
    this.watchers.add(watcher);
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next) yield next;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.watchers.delete(watcher);
    }
  }

  /** A write by "someone else", bypassing beforeWrite. */
  put(tracking: OrderTracking): void {
    this.write(tracking);
  }

  private write(tracking: OrderTracking): number {
    this.writes++;
    const version = ++this.revision;
    this.stored.set(tracking.orderId, { state: structuredClone(tracking.snapshot()) as OrderTrackingState, version });
    for (const watcher of this.watchers) {
      if (watcher.orderId === tracking.orderId) watcher.push(OrderTracking.restore(structuredClone(tracking.snapshot())));
    }
    return version;
  }
}

const keyOf = (key: NotificationKey) => `${key.customerId}|${key.orderId}|${key.status}`;

/** Notifications and the work list of pending ones, in maps. */
export class InMemoryNotificationRepository implements NotificationRepository {
  readonly stored = new Map<string, { state: NotificationState; version: number }>();
  readonly pending = new Set<string>();
  private revision = 0;
  /** Runs before each update; a test can change the record here to simulate another dispatcher. */
  beforeUpdate: ((key: NotificationKey) => void) | undefined;

  async find(key: NotificationKey): Promise<Versioned<Notification> | undefined> {
    const found = this.stored.get(keyOf(key));
    return found && { value: Notification.restore(structuredClone(found.state)), version: found.version };
  }

  async createIfAbsent(notification: Notification): Promise<{ created: boolean; stored: Versioned<Notification> }> {
    const key = keyOf(notification.snapshot());
    const existing = await this.find(notification.snapshot());
    if (existing) {
      if (existing.value.isPending) this.pending.add(key);
      return { created: false, stored: existing };
    }
    const version = this.write(notification);
    this.pending.add(key);
    return { created: true, stored: { value: notification, version } };
  }

  async update(notification: Notification, version: number): Promise<number | undefined> {
    this.beforeUpdate?.(notification.snapshot());
    if (this.stored.get(keyOf(notification.snapshot()))?.version !== version) return undefined;
    const next = this.write(notification);
    if (!notification.isPending) this.pending.delete(keyOf(notification.snapshot()));
    return next;
  }

  async listByCustomer(customerId: string, limit: number, cursor?: string): Promise<NotificationPage> {
    const all = [...this.stored.values()]
      .map((entry) => entry.state)
      .filter((state) => state.customerId === customerId)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.notificationId < b.notificationId ? -1 : 1));
    const start = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isInteger(start) || start < 0) throw invalidField('page_token', 'is not a token from a previous page');
    const notifications = all.slice(start, start + limit).map((state) => Notification.restore(structuredClone(state)));
    return start + limit < all.length ? { notifications, nextCursor: String(start + limit) } : { notifications };
  }

  /** Sets a stored record directly, as another replica would. */
  overwrite(notification: Notification): void {
    this.write(notification);
  }

  all(): NotificationState[] {
    return [...this.stored.values()].map((entry) => entry.state);
  }

  private write(notification: Notification): number {
    const version = ++this.revision;
    this.stored.set(keyOf(notification.snapshot()), { state: structuredClone(notification.snapshot()) as NotificationState, version });
    return version;
  }
}

/** Takes every message, or fails with the errors queued in `failures` first. */
export class FakeNotifier implements Notifier {
  readonly channel = 'fake';
  readonly sent: OutgoingMessage[] = [];
  readonly failures: Error[] = [];
  /** Runs during a send, e.g. to let "another dispatcher" act meanwhile. */
  during: ((message: OutgoingMessage) => void) | undefined;

  async send(message: OutgoingMessage): Promise<void> {
    this.during?.(message);
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push(message);
  }
}

export class FakeClock implements Clock {
  constructor(private current = new Date('2025-05-01T12:00:00Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** A view that is never behind, unless a test says so: then `caughtUp` waits for `catchUp()` (or its bound). */
export class InMemoryTrackingBacklog implements TrackingBacklog {
  waits = 0;
  private behind: (() => void)[] | undefined;

  fallBehind(): void {
    this.behind ??= [];
  }

  catchUp(): void {
    for (const resolve of this.behind ?? []) resolve();
    this.behind = undefined;
  }

  async caughtUp(maxWaitMs: number, signal: AbortSignal): Promise<void> {
    this.waits++;
    const waiting = this.behind;
    if (!waiting) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}

export const roomyWatchLimits = { perCaller: 5, total: 100, maxDurationMs: 60_000, catchUpMs: 1_000 };
