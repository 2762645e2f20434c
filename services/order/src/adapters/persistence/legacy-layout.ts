import type { Logger } from '@fooddelivery/adapters/logger';
import { Order, type LineItem, type OrderChange, type OrderStatus } from '../../domain/order.js';
import { toView } from './order-view.js';
import { toStoredChange } from './order-change.codec.js';
import { Collections, isDuplicateKey, logId, pendingId, type OrderDatabase, type StoredEvent } from './order-database.js';

/** An order as the layout before the order log kept it: one document with its pending events inside. */
interface LegacyOrderDocument {
  _id: string;
  customerId: string;
  storeId: string;
  items: LineItem[];
  total: { currencyCode: string; amountMinor: number };
  deliveryAddress: string;
  status: OrderStatus;
  statusReason: string;
  paymentId: string;
  placedAt: Date;
  updatedAt: Date;
  outbox: StoredEvent[];
}

const { orders: LEGACY_ORDERS, attempts: LEGACY_ATTEMPTS } = Collections.legacy;

/**
 * Brings a database written before the order log up to date, once, at start: each order becomes a
 * log of one or two entries (placed, then its current status) with its unpublished events, each
 * open payment attempt a pending attempt; then the old collections are dropped. Every write is an
 * insert of a fixed `_id`, so a migration stopped half-way is simply run again.
 */
export async function migrateLegacyLayout(database: OrderDatabase, logger: Logger): Promise<void> {
  const names = new Set((await database.db.listCollections({}, { nameOnly: true }).toArray()).map((collection) => collection.name));
  if (!names.has(LEGACY_ORDERS) && !names.has(LEGACY_ATTEMPTS)) return;
  const long = { timeoutMS: 0 };
  let orders = 0;
  if (names.has(LEGACY_ORDERS)) {
    const legacy = database.db.collection<LegacyOrderDocument>(LEGACY_ORDERS);
    for await (const document of legacy.find({}, long)) {
      await migrateOrder(database, document);
      orders++;
    }
  }
  let attempts = 0;
  if (names.has(LEGACY_ATTEMPTS)) {
    const legacy = database.db.collection<{ _id: string; begunAt: Date }>(LEGACY_ATTEMPTS);
    for await (const attempt of legacy.find({}, long)) {
      await ignoreDuplicate(
        database.pending.insertOne({
          _id: pendingId(attempt._id, 1, 'legacy'),
          orderId: attempt._id,
          version: 1,
          token: 'legacy',
          kind: 'payment',
          since: attempt.begunAt,
        }),
      );
      attempts++;
    }
  }
  for (const name of [LEGACY_ORDERS, LEGACY_ATTEMPTS]) if (names.has(name)) await database.db.dropCollection(name, long);
  logger.warn({ orders, attempts }, 'migrated the order database from the layout before the order log');
}

async function migrateOrder(database: OrderDatabase, document: LegacyOrderDocument): Promise<void> {
  const orderId = document._id;
  const placedEvents = document.outbox.filter((event) => event.subject === 'fooddelivery.order.placed');
  const laterEvents = document.outbox.filter((event) => event.subject !== 'fooddelivery.order.placed');
  const entries: Array<{ change: OrderChange; events: StoredEvent[] }> = [
    {
      change: {
        type: 'placed',
        at: new Date(document.placedAt),
        details: {
          orderId,
          customerId: document.customerId,
          storeId: document.storeId,
          items: document.items,
          total: document.total,
          deliveryAddress: document.deliveryAddress,
          paymentId: document.paymentId,
          requestFingerprint: '',
        },
      },
      events: placedEvents,
    },
  ];
  const current = currentStatus(document);
  if (current) entries.push({ change: current, events: laterEvents });
  for (const [index, entry] of entries.entries()) {
    const version = index + 1;
    const token = 'legacy';
    if (entry.events.length > 0) {
      await ignoreDuplicate(
        database.pending.insertOne({ _id: pendingId(orderId, version, token), orderId, version, token, kind: 'change', since: new Date() }),
      );
    }
    await ignoreDuplicate(
      database.log.insertOne({
        _id: logId(orderId, version),
        orderId,
        version,
        token,
        change: toStoredChange(entry.change),
        events: entry.events,
        at: entry.change.at,
      }),
    );
  }
  const order = Order.fold(entries.map((entry) => entry.change));
  if (order) await ignoreDuplicate(database.views.insertOne(toView(order.snapshot())));
}

function currentStatus(document: LegacyOrderDocument): OrderChange | undefined {
  const at = new Date(document.updatedAt);
  switch (document.status) {
    case 'paid':
      return undefined;
    case 'cancelled':
      return { type: 'cancelled', at, reason: document.statusReason };
    case 'rejected':
      return { type: 'rejected', at, reason: document.statusReason };
    default:
      return { type: 'store_progressed', at, step: document.status };
  }
}

async function ignoreDuplicate(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}
