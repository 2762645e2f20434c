import { MongoClient, MongoServerError, type Collection, type Db } from 'mongodb';
import type { OrderState, OrderStatus } from '../../domain/order.js';
import { GroupedInserts } from './grouped-inserts.js';

/**
 * The order service's MongoDB collections. The design uses only what MongoDB and FerretDB both
 * guarantee (see docs/order-log.md): an insert of a new `_id` is atomic and unique, and a document
 * is read or replaced by `_id`. No conditional update, no array operator, no transaction.
 */

/** One change of one order: `_id` = `<orderId>:<version>`. Inserting it is the concurrency check. */
export interface OrderLogDocument {
  _id: string;
  orderId: string;
  version: number;
  /** The write that owns this version: the pending change it was written under. */
  token: string;
  /** The change (see order-change.codec.ts), or `void`: a version taken over from a writer that failed. */
  change: StoredChange;
  /** Its events, published by the relay (the log is the outbox). */
  events: StoredEvent[];
  at: Date;
}

export type StoredChange = Record<string, unknown> & { type: string };

export interface StoredEvent {
  eventId: string;
  eventType: string;
  subject: string;
  /** The W3C traceparent of the change that raised it. */
  traceparent?: string;
  /** Protobuf bytes, base64. */
  payload: string;
}

/**
 * A write under way: recorded before a log entry that carries events (or before payment is asked
 * for, `kind: payment`), removed once the entry's events are published or the attempt is settled.
 * Only these few documents are ever scanned: the relay's sweep and the settlement read them, and
 * each one's log entry by `_id`.
 */
export interface PendingChangeDocument {
  /** `<orderId>:<version>:<token>`. */
  _id: string;
  orderId: string;
  version: number;
  token: string;
  kind: 'payment' | 'change';
  since: Date;
}

/**
 * The order's current state for queries: a cache of the log's fold up to `version`, replaced by
 * `_id` after each append. Readers check the log for later versions; decisions never rely on it alone.
 */
export type OrderViewDocument = Omit<OrderState, 'orderId' | 'status'> & { _id: string; status: OrderStatus };

/** A store of the catalog with its menu. */
export interface StoreDocument {
  _id: string;
  name: string;
  cuisine: string;
  open: boolean;
  currencyCode: string;
  menu: Array<{ menuItemId: string; name: string; price: { currencyCode: string; amountMinor: number }; available: boolean }>;
}

export interface OrderDatabase {
  client: MongoClient;
  db: Db;
  log: Collection<OrderLogDocument>;
  pending: Collection<PendingChangeDocument>;
  views: Collection<OrderViewDocument>;
  stores: Collection<StoreDocument>;
  /** Inserts into the collections written on every order, grouped when several come at once. */
  inserts: {
    log: GroupedInserts<OrderLogDocument>;
    pending: GroupedInserts<PendingChangeDocument>;
    views: GroupedInserts<OrderViewDocument>;
  };
  close(): Promise<void>;
}

export const Collections = {
  log: 'order_log',
  pending: 'order_pending_changes',
  views: 'order_views',
  stores: 'stores',
  /** The layout before the order log (see legacy-layout.ts). */
  legacy: { orders: 'orders', attempts: 'payment_attempts' },
} as const;

export interface OrderDatabaseOptions {
  /** Every operation fails after this long (driver-side), so an outage answers promptly. */
  timeoutMs: number;
  /** Emit the driver's command events (tests check which operations are used). */
  monitorCommands?: boolean;
}

export async function openOrderDatabase(url: string, name: string, options: OrderDatabaseOptions): Promise<OrderDatabase> {
  const client = new MongoClient(url, {
    timeoutMS: options.timeoutMs,
    serverSelectionTimeoutMS: options.timeoutMs,
    connectTimeoutMS: options.timeoutMs,
    maxPoolSize: 32,
    appName: 'order',
    monitorCommands: options.monitorCommands ?? false,
  });
  await client.connect();
  const db = client.db(name);
  const log = db.collection<OrderLogDocument>(Collections.log);
  const pending = db.collection<PendingChangeDocument>(Collections.pending);
  const views = db.collection<OrderViewDocument>(Collections.views);
  const database: OrderDatabase = {
    client,
    db,
    log,
    pending,
    views,
    stores: db.collection(Collections.stores),
    inserts: {
      log: new GroupedInserts(log, { timeoutMs: options.timeoutMs }),
      pending: new GroupedInserts(pending, { timeoutMs: options.timeoutMs }),
      views: new GroupedInserts(views, { timeoutMs: options.timeoutMs }),
    },
    close: () => client.close(),
  };
  // For MongoDB proper; FerretDB 1.x keeps them but filters other fields itself.
  await database.views.createIndex({ customerId: 1, placedAt: -1 });
  return database;
}

/** `<orderId>:<version>`, the version zero-padded so the ids of one order sort by version. */
export function logId(orderId: string, version: number): string {
  return `${orderId}:${String(version).padStart(6, '0')}`;
}

export function pendingId(orderId: string, version: number, token: string): string {
  return `${logId(orderId, version)}:${token}`;
}

export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}
