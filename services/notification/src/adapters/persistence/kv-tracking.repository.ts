import { Events, KvWatchInclude, type KV, type KvEntry, type NatsConnection, type QueuedIterator } from 'nats';
import type { TrackingRepository, Versioned } from '../../application/ports.js';
import { OrderTracking, type Money, type TrackingStatus } from '../../domain/tracking.js';
import { isRevisionConflict, keyToken } from './kv-keys.js';
import { TrackingView } from './tracking-view.js';

interface StoredTracking {
  orderId: string;
  customerId: string;
  storeId: string;
  total?: Money;
  steps: Array<{ status: TrackingStatus; occurredAt: string; reason: string }>;
}

export interface KvTrackingSettings {
  /** Trackings the in-memory view holds at most; the least recently used leave it first. */
  viewMaxEntries: number;
}

/**
 * Order trackings in a JetStream KV bucket, one key per order, written with compare-and-set on
 * the revision. Reads are answered from an in-memory view kept current by one KV watch on the
 * bucket (the same watch WatchOrder's streams are fed from): it trails the bucket by the watch's
 * delivery time, and while the connection to NATS is down it is emptied and reads go to the bucket.
 */
export class KvTrackingRepository implements TrackingRepository {
  private readonly feed: KvChangeFeed;
  private readonly view: TrackingView<OrderTracking>;

  constructor(
    private readonly kv: KV,
    settings: KvTrackingSettings = { viewMaxEntries: 50_000 },
    connection?: Pick<NatsConnection, 'status'>,
  ) {
    this.view = new TrackingView(settings.viewMaxEntries, decode);
    this.feed = new KvChangeFeed(kv, (entry) => this.view.put(entry), connection);
    this.feed.onLost(() => this.view.clear());
  }

  async find(orderId: string): Promise<Versioned<OrderTracking> | undefined> {
    const entry = await this.kv.get(keyToken(orderId));
    if (!entry || entry.operation !== 'PUT') return undefined;
    return { value: decode(entry), version: entry.revision };
  }

  async read(orderId: string): Promise<OrderTracking | undefined> {
    const key = keyToken(orderId);
    if (this.feed.live) {
      const cached = this.view.get(key);
      if (cached) return cached.value;
    } else {
      await this.feed.start().catch(() => undefined);
    }
    // Held only if the watch stayed live throughout: a write made while it was down is never sent
    // by the reopened watch (updates only), so a read that spans the gap must not be kept.
    const era = this.feed.era;
    const entry = await this.kv.get(key);
    if (!entry) return undefined;
    if (this.feed.live && this.feed.era === era) this.view.put(entry);
    return entry.operation === 'PUT' ? decode(entry) : undefined;
  }

  /** How many trackings the in-memory view holds now. */
  get viewSize(): number {
    return this.view.size;
  }

  async create(tracking: OrderTracking): Promise<number | undefined> {
    try {
      return await this.kv.create(keyToken(tracking.orderId), encode(tracking));
    } catch (error) {
      if (isRevisionConflict(error)) return undefined;
      throw error;
    }
  }

  async update(tracking: OrderTracking, version: number): Promise<number | undefined> {
    try {
      return await this.kv.update(keyToken(tracking.orderId), encode(tracking), version);
    } catch (error) {
      if (isRevisionConflict(error)) return undefined;
      throw error;
    }
  }

  /**
   * The order's current tracking (one read), then each write to its key, taken from the one KV
   * watch this repository shares among all its watchers: no consumer per watch.
   */
  async *watch(orderId: string, signal: AbortSignal): AsyncIterable<OrderTracking> {
    if (signal.aborted) return;
    await this.feed.start();
    const key = keyToken(orderId);
    const queue: KvEntry[] = [];
    let wake: (() => void) | undefined;
    const listener = (entry: KvEntry) => {
      queue.push(entry);
      wake?.();
    };
    const onAbort = () => wake?.();
    const leave = this.feed.listen(key, listener);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const current = await this.kv.get(key);
      if (current) queue.unshift(current);
      let seen = 0;
      while (!signal.aborted) {
        const next = queue.shift();
        if (!next) {
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        if (next.revision <= seen) continue;
        seen = next.revision;
        if (next.operation === 'PUT') yield decode(next);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      leave();
    }
  }

  /** Stops the shared watch (at shutdown). */
  close(): void {
    this.feed.stop();
  }
}

/**
 * One KV watch on the whole bucket (updates only): every entry goes to `everyEntry`, and to the
 * listeners of its key. Restarted if it ends while the service runs; listeners then get their
 * key's current value again, so nothing written meanwhile is missed (they drop what they have
 * seen by revision). `live` is false while the watch is down or the connection is lost, and
 * `onLost` handlers run each time it stops being live: what it fed may have missed writes.
 */
class KvChangeFeed {
  private readonly listeners = new Map<string, Set<(entry: KvEntry) => void>>();
  private readonly lostHandlers: Array<() => void> = [];
  private running: Promise<void> | undefined;
  private watcher: QueuedIterator<KvEntry> | undefined;
  private following = false;
  private connected = true;
  private stopped = false;
  /** Counts the times the feed stopped being live. */
  private lostTimes = 0;

  constructor(
    private readonly kv: KV,
    private readonly everyEntry: (entry: KvEntry) => void,
    connection?: Pick<NatsConnection, 'status'>,
  ) {
    if (connection) void this.followConnection(connection);
  }

  get live(): boolean {
    return this.following && this.connected && !this.stopped;
  }

  /** Changes each time the feed stops being live. */
  get era(): number {
    return this.lostTimes;
  }

  start(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.open().catch((error: unknown) => {
      this.running = undefined;
      throw error;
    });
    return this.running;
  }

  listen(key: string, listener: (entry: KvEntry) => void): () => void {
    let forKey = this.listeners.get(key);
    if (!forKey) this.listeners.set(key, (forKey = new Set()));
    forKey.add(listener);
    return () => {
      forKey.delete(listener);
      if (forKey.size === 0) this.listeners.delete(key);
    };
  }

  onLost(handler: () => void): void {
    this.lostHandlers.push(handler);
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.stop();
    this.lost();
  }

  private lost(): void {
    this.lostTimes++;
    for (const handler of this.lostHandlers) handler();
  }

  private async open(): Promise<void> {
    const watcher = await this.kv.watch({ key: '>', include: KvWatchInclude.UpdatesOnly });
    if (this.stopped) {
      watcher.stop();
      return;
    }
    this.watcher = watcher;
    this.following = true;
    void this.follow(watcher);
  }

  private async follow(watcher: QueuedIterator<KvEntry>): Promise<void> {
    try {
      for await (const entry of watcher) {
        this.everyEntry(entry);
        for (const listener of this.listeners.get(entry.key) ?? []) listener(entry);
      }
    } catch {
      // Ended by a failure: opened again below.
    }
    this.following = false;
    this.lost();
    if (this.stopped) return;
    this.running = undefined;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (this.stopped) return;
      if (
        await this.start().then(
          () => true,
          () => false,
        )
      )
        break;
    }
    for (const [key, listeners] of this.listeners) {
      const current = await this.kv.get(key).catch(() => null);
      if (current) for (const listener of listeners) listener(current);
    }
  }

  private async followConnection(connection: Pick<NatsConnection, 'status'>): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === Events.Disconnect) {
        this.connected = false;
        this.lost();
      } else if (status.type === Events.Reconnect) {
        this.connected = true;
      }
    }
  }
}

function encode(tracking: OrderTracking): Uint8Array {
  const state = tracking.snapshot();
  const stored: StoredTracking = {
    orderId: state.orderId,
    customerId: state.customerId,
    storeId: state.storeId,
    ...(state.total && { total: state.total }),
    steps: state.steps.map((step) => ({ status: step.status, occurredAt: step.occurredAt.toISOString(), reason: step.reason })),
  };
  return new TextEncoder().encode(JSON.stringify(stored));
}

function decode(entry: KvEntry): OrderTracking {
  const stored = entry.json<StoredTracking>();
  return OrderTracking.restore({
    orderId: stored.orderId,
    customerId: stored.customerId,
    storeId: stored.storeId,
    ...(stored.total && { total: stored.total }),
    steps: stored.steps.map((step) => ({ status: step.status, occurredAt: new Date(step.occurredAt), reason: step.reason })),
  });
}
