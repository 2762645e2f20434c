import { decodePageToken, encodePageToken } from '@fooddelivery/adapters/page-token';
import { KvWatchInclude, type JetStreamManager, type KV, type KvEntry, type NatsConnection } from 'nats';
import type {
  NotificationKey,
  NotificationPage,
  NotificationRepository,
  PendingChange,
  PendingWorkList,
  Versioned,
} from '../../application/ports.js';
import { Notification, type DeliveryState, type NotificationState } from '../../domain/notification.js';
import type { TrackingStatus } from '../../domain/tracking.js';
import { isRevisionConflict, keyToken } from './kv-keys.js';

interface StoredNotification {
  notificationId: string;
  customerId: string;
  orderId: string;
  status: TrackingStatus;
  text: string;
  channel: string;
  deliveryState: DeliveryState;
  attempts: number;
  lastError: string;
  createdAt: string;
  sentAt?: string;
  nextAttemptAt: string;
  leaseUntil?: string;
}

/**
 * Notifications in one KV bucket, keyed `<customer>.<order>.<status>` so a customer's are one
 * key prefix, and the work list of pending ones in a second bucket: on a restart the dispatcher
 * reads only what is still to be sent, not every message ever sent. Done entries leave the work
 * list by a purge of their subject in the bucket's stream, which, unlike a KV delete, leaves no
 * tombstone behind for every later watch to read.
 */
export class KvNotificationRepository implements NotificationRepository, PendingWorkList {
  private constructor(
    private readonly messages: KV,
    private readonly pending: KV,
    private readonly manager: JetStreamManager,
    private readonly pendingStream: { name: string; subjectPrefix: string },
  ) {}

  /** Opens (creating them if needed) the two buckets. */
  static async open(
    connection: NatsConnection,
    buckets: { messages: string; pending: string },
    replicas = 1,
  ): Promise<KvNotificationRepository> {
    const js = connection.jetstream();
    const messages = await js.views.kv(buckets.messages, { history: 1, replicas });
    const pending = await js.views.kv(buckets.pending, { history: 1, replicas });
    const status = await pending.status();
    return new KvNotificationRepository(messages, pending, await connection.jetstreamManager(), {
      name: status.streamInfo.config.name,
      subjectPrefix: `$KV.${status.bucket}.`,
    });
  }

  async find(key: NotificationKey): Promise<Versioned<Notification> | undefined> {
    const entry = await this.messages.get(storageKey(key));
    if (!entry || entry.operation !== 'PUT') return undefined;
    return { value: decode(entry), version: entry.revision };
  }

  async createIfAbsent(notification: Notification): Promise<{ created: boolean; stored: Versioned<Notification> }> {
    const key = storageKey(notification.snapshot());
    for (let round = 0; ; round++) {
      try {
        const version = await this.messages.create(key, encode(notification));
        await this.markPending(notification);
        return { created: true, stored: { value: notification, version } };
      } catch (error) {
        if (!isRevisionConflict(error) || round >= 3) throw error;
      }
      const existing = await this.find(notification.snapshot());
      if (!existing) continue; // deleted in between: create it after all
      // Pending but not on the work list: a crash came between the two writes before.
      if (existing.value.isPending) await this.markPending(existing.value);
      return { created: false, stored: existing };
    }
  }

  async update(notification: Notification, version: number): Promise<number | undefined> {
    let next: number;
    try {
      next = await this.messages.update(storageKey(notification.snapshot()), encode(notification), version);
    } catch (error) {
      if (isRevisionConflict(error)) return undefined;
      throw error;
    }
    // Best effort: an entry left behind is dropped by the dispatcher once it sees the message done.
    if (!notification.isPending) await this.dropPending(storageKey(notification.snapshot())).catch(() => {});
    return next;
  }

  /**
   * A customer has a handful of notifications per order, so a page reads all of that customer's
   * keys and sorts them: newest first, then by id. The cursor is the last one returned.
   */
  async listByCustomer(customerId: string, limit: number, cursor?: string): Promise<NotificationPage> {
    const after = cursor === undefined ? undefined : parseCursor(cursor);
    const keys: string[] = [];
    for await (const key of await this.messages.keys(`${keyToken(customerId)}.>`)) keys.push(key);
    const entries = await Promise.all(keys.map((key) => this.messages.get(key)));
    const all = entries
      .filter((entry): entry is KvEntry => entry !== null && entry.operation === 'PUT')
      .map(decode)
      .map((notification) => notification.snapshot())
      .sort(newestFirst)
      .filter((state) => !after || newestFirst(state, after) > 0);
    const page = all.slice(0, limit);
    const last = page.at(-1);
    const notifications = page.map((state) => Notification.restore(state));
    return last && all.length > limit ? { notifications, nextCursor: toCursor(last) } : { notifications };
  }

  /** Every notification on the work list now, then each one added or removed, until `signal` aborts. */
  async *watchPending(signal: AbortSignal): AsyncIterable<PendingChange> {
    if (signal.aborted) return;
    const watcher = await this.pending.watch({ include: KvWatchInclude.LastValue });
    const stop = () => watcher.stop();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const entry of watcher) {
        yield entry.operation === 'PUT' ? { marker: entry.key, key: entry.json<NotificationKey>() } : { marker: entry.key };
      }
    } finally {
      signal.removeEventListener('abort', stop);
      watcher.stop();
    }
  }

  async dropPending(marker: string): Promise<void> {
    await this.manager.streams.purge(this.pendingStream.name, { filter: `${this.pendingStream.subjectPrefix}${marker}` });
  }

  private async markPending(notification: Notification): Promise<void> {
    const { customerId, orderId, status } = notification.snapshot();
    const key: NotificationKey = { customerId, orderId, status };
    await this.pending.put(storageKey(key), new TextEncoder().encode(JSON.stringify(key)));
  }
}

function storageKey(key: NotificationKey): string {
  return `${keyToken(key.customerId)}.${keyToken(key.orderId)}.${key.status}`;
}

function newestFirst(
  a: Pick<NotificationState, 'createdAt' | 'notificationId'>,
  b: Pick<NotificationState, 'createdAt' | 'notificationId'>,
) {
  return (
    b.createdAt.getTime() - a.createdAt.getTime() ||
    (a.notificationId < b.notificationId ? -1 : a.notificationId > b.notificationId ? 1 : 0)
  );
}

function toCursor(state: Pick<NotificationState, 'createdAt' | 'notificationId'>): string {
  return encodePageToken([state.createdAt.getTime(), state.notificationId]);
}

function parseCursor(cursor: string): Pick<NotificationState, 'createdAt' | 'notificationId'> {
  const [time, notificationId] = decodePageToken(
    cursor,
    (value): value is [number, string] => Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string',
  );
  return { createdAt: new Date(time), notificationId };
}

function encode(notification: Notification): Uint8Array {
  const state = notification.snapshot();
  const stored: StoredNotification = {
    notificationId: state.notificationId,
    customerId: state.customerId,
    orderId: state.orderId,
    status: state.status,
    text: state.text,
    channel: state.channel,
    deliveryState: state.deliveryState,
    attempts: state.attempts,
    lastError: state.lastError,
    createdAt: state.createdAt.toISOString(),
    ...(state.sentAt && { sentAt: state.sentAt.toISOString() }),
    nextAttemptAt: state.nextAttemptAt.toISOString(),
    ...(state.leaseUntil && { leaseUntil: state.leaseUntil.toISOString() }),
  };
  return new TextEncoder().encode(JSON.stringify(stored));
}

function decode(entry: KvEntry): Notification {
  const stored = entry.json<StoredNotification>();
  const { createdAt, sentAt, nextAttemptAt, leaseUntil, ...rest } = stored;
  return Notification.restore({
    ...rest,
    createdAt: new Date(createdAt),
    nextAttemptAt: new Date(nextAttemptAt),
    ...(sentAt !== undefined && { sentAt: new Date(sentAt) }),
    ...(leaseUntil !== undefined && { leaseUntil: new Date(leaseUntil) }),
  });
}
