import { randomUUID } from 'node:crypto';
import type { PaymentAttempt, PaymentAttempts } from '../../application/ports.js';
import { ABANDONED } from './order-change.codec.js';
import { isDuplicateKey, logId, pendingId, type OrderDatabase, type PendingChangeDocument } from './order-database.js';

/**
 * Payment attempts as pending-change records of kind `payment`. Abandoning one inserts version 1
 * of the order as `abandoned`: if that insert wins, the order can never be stored afterwards.
 */
export class MongoPaymentAttempts implements PaymentAttempts {
  constructor(private readonly database: OrderDatabase) {}

  async begin(orderId: string, at: Date): Promise<PaymentAttempt> {
    const token = randomUUID();
    await this.database.inserts.pending.insert({
      _id: pendingId(orderId, 1, token),
      orderId,
      version: 1,
      token,
      kind: 'payment',
      since: at,
    });
    return { orderId, token, begunAt: at };
  }

  async abandon(attempt: PaymentAttempt, reason: string, at: Date): Promise<'abandoned' | 'placed'> {
    const _id = logId(attempt.orderId, 1);
    try {
      await this.database.log.insertOne({
        _id,
        orderId: attempt.orderId,
        version: 1,
        token: attempt.token,
        change: { type: ABANDONED, at, reason },
        events: [],
        at,
      });
      return 'abandoned';
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const first = await this.database.log.findOne({ _id });
    return first?.change.type === ABANDONED ? 'abandoned' : 'placed';
  }

  async close(attempt: PaymentAttempt): Promise<void> {
    await this.database.pending.deleteOne({ _id: pendingId(attempt.orderId, 1, attempt.token) });
  }

  async stale(before: Date, limit: number): Promise<PaymentAttempt[]> {
    const candidates = await this.database.pending
      .find({ kind: 'payment', since: { $lt: before } })
      .limit(limit)
      .toArray();
    const unplaced = await Promise.all(
      candidates.map(async (candidate) => {
        const first = await this.database.log.findOne({ _id: logId(candidate.orderId, 1) });
        return !first || first.change.type === ABANDONED ? toAttempt(candidate) : undefined;
      }),
    );
    return unplaced.filter((attempt) => attempt !== undefined);
  }
}

function toAttempt(document: PendingChangeDocument): PaymentAttempt {
  return { orderId: document.orderId, token: document.token, begunAt: document.since };
}
