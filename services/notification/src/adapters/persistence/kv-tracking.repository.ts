import { KvWatchInclude, type KV, type KvEntry, type QueuedIterator } from 'nats';
import type { TrackingRepository, Versioned } from '../../application/ports.js';
import { OrderTracking, type Money, type TrackingStatus } from '../../domain/tracking.js';
import { isRevisionConflict, keyToken } from './kv-keys.js';

interface StoredTracking {
  orderId: string;
  customerId: string;
  storeId: string;
  total?: Money;
  steps: Array<{ status: TrackingStatus; occurredAt: string; reason: string }>;
}

/** Order trackings in a JetStream KV bucket, one key per order, written with compare-and-set on the revision. */
export class KvTrackingRepository implements TrackingRepository {
  private readonly feed: KvChangeFeed;

  constructor(private readonly kv: KV) {
    this.feed = new KvChangeFeed(kv);
  }

  async find(orderId: string): Promise<Versioned<OrderTracking> | undefined> {
    const entry = await this.kv.get(keyToken(orderId));
    if (!entry || entry.operation !== 'PUT') return undefined;
    return { value: decode(entry), version: entry.revision };
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
 * One KV watch on the whole bucket (updates only), fanned out to the keys someone listens to.
 * Restarted if it ends while the service runs; listeners then get their key's current value
 * again, so nothing written meanwhile is missed (they drop what they have seen by revision).
 */
class KvChangeFeed {
  private readonly listeners = new Map<string, Set<(entry: KvEntry) => void>>();
  private running: Promise<void> | undefined;
  private watcher: QueuedIterator<KvEntry> | undefined;
  private stopped = false;

  constructor(private readonly kv: KV) {}

  start(): Promise<void> {
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

  stop(): void {
    this.stopped = true;
    this.watcher?.stop();
  }

  private async open(): Promise<void> {
    const watcher = await this.kv.watch({ key: '>', include: KvWatchInclude.UpdatesOnly });
    this.watcher = watcher;
    void this.follow(watcher);
  }

  private async follow(watcher: QueuedIterator<KvEntry>): Promise<void> {
    try {
      for await (const entry of watcher) {
        for (const listener of this.listeners.get(entry.key) ?? []) listener(entry);
      }
    } catch {
      // Ended by a failure: opened again below.
    }
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
