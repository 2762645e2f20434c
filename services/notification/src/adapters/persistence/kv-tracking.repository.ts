import { KvWatchInclude, type KV, type KvEntry } from 'nats';
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
  constructor(private readonly kv: KV) {}

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

  /** A KV watch on the order's key: its last value (if any), then each write, pushed by the server. */
  async *watch(orderId: string, signal: AbortSignal): AsyncIterable<OrderTracking> {
    if (signal.aborted) return;
    const watcher = await this.kv.watch({ key: keyToken(orderId), include: KvWatchInclude.LastValue });
    const stop = () => watcher.stop();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const entry of watcher) {
        if (entry.operation === 'PUT') yield decode(entry);
      }
    } finally {
      signal.removeEventListener('abort', stop);
      watcher.stop();
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
