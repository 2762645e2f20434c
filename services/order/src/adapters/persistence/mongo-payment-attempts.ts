import { EntitySchema } from '@mikro-orm/core';
import type { MongoOrm } from '@fooddelivery/adapters/orm';
import type { PaymentAttempts } from '../../application/ports.js';

interface PaymentAttemptDocument {
  _id: string;
  begunAt: Date;
}

export const PaymentAttemptSchema = new EntitySchema<PaymentAttemptDocument>({
  name: 'PaymentAttemptDocument',
  collection: 'payment_attempts',
  properties: {
    _id: { type: 'string', primary: true },
    begunAt: { type: 'Date', index: true },
  },
});

export class MongoPaymentAttempts implements PaymentAttempts {
  constructor(private readonly orm: MongoOrm) {}

  async begin(orderId: string, at: Date): Promise<void> {
    await this.collection().updateOne({ _id: orderId } as never, { $setOnInsert: { begunAt: at } }, { upsert: true });
  }

  async finish(orderId: string): Promise<void> {
    await this.collection().deleteOne({ _id: orderId } as never);
  }

  async unsettled(before: Date, limit: number): Promise<string[]> {
    const documents = await this.collection()
      .find({ begunAt: { $lt: before } } as never, { projection: { _id: 1 }, limit, sort: { begunAt: 1 } })
      .toArray();
    return documents.map((document) => String(document._id));
  }

  private collection() {
    return this.orm.em.getConnection().getCollection<PaymentAttemptDocument>('payment_attempts');
  }
}
