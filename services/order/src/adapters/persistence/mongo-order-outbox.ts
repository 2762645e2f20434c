import type { OutboxItem, OutboxStore } from '@fooddelivery/adapters/outbox';
import type { OutboxBacklog } from '@fooddelivery/adapters/outbox-metrics';
import { ABANDONED, VOID } from './order-change.codec.js';
import { fromStoredEvent } from './mongo-order.repository.js';
import { isDuplicateKey, logId, type OrderDatabase, type PendingChangeDocument } from './order-database.js';

/**
 * The relay's view of the order log: pending-change records whose log entry holds events still
 * to publish. A record whose entry was written by another writer is dropped; a `change` record
 * whose entry never came (the writer stopped) gets a void entry at that version, so a writer
 * that is merely slow fails its insert instead of committing events nobody would publish.
 */
export class MongoOrderOutbox implements OutboxStore, OutboxBacklog {
  constructor(private readonly database: OrderDatabase) {}

  /**
   * Every pending record: a change or a placed order (its payment attempt's record) whose events
   * are not published yet, or a payment whose order is not written yet (settled after
   * PAYMENT_SETTLE_AFTER_MS at the latest).
   */
  async backlog(): Promise<{ items: number; oldest: Date | undefined }> {
    const [items, oldest] = await Promise.all([
      this.database.pending.countDocuments({}),
      this.database.pending.find({}).sort({ since: 1 }).limit(1).next(),
    ]);
    return { items, oldest: oldest?.since };
  }

  async pending(limit: number, committedBefore: Date): Promise<OutboxItem[]> {
    const records = await this.database.pending
      .find({ since: { $lt: committedBefore } })
      .sort({ kind: 1, since: 1 })
      .limit(limit)
      .toArray();
    const items = await Promise.all(records.map((record) => this.resolve(record)));
    return items.filter((item) => item !== undefined);
  }

  async markPublished(keys: string[]): Promise<void> {
    // One statement for the batch: MongoDB, and FerretDB as patched (tools/cmd/ferretdb), find the
    // keys through the _id index; FerretDB then deletes them with one DELETE.
    await this.database.pending.deleteMany({ _id: { $in: keys } });
  }

  private async resolve(record: PendingChangeDocument): Promise<OutboxItem | undefined> {
    const _id = logId(record.orderId, record.version);
    const entry = await this.database.log.findOne({ _id });
    if (!entry) {
      // A payment attempt without its order is the settlement's (SettlePaymentAttempts).
      if (record.kind === 'change') await this.takeOver(record);
      return undefined;
    }
    if (entry.token !== record.token) {
      if (entry.change.type !== ABANDONED) await this.database.pending.deleteOne({ _id: record._id });
      return undefined;
    }
    if (entry.events.length === 0) return undefined;
    return { key: record._id, events: entry.events.map((event) => fromStoredEvent(record.orderId, event)) };
  }

  private async takeOver(record: PendingChangeDocument): Promise<void> {
    try {
      const at = new Date();
      await this.database.log.insertOne({
        _id: logId(record.orderId, record.version),
        orderId: record.orderId,
        version: record.version,
        token: `void:${record.token}`,
        change: { type: VOID, at },
        events: [],
        at,
      });
    } catch (error) {
      // The writer's entry arrived meanwhile: the next sweep publishes it.
      if (isDuplicateKey(error)) return;
      throw error;
    }
    await this.database.pending.deleteOne({ _id: record._id });
  }
}
