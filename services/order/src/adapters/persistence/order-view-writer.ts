import type { Logger } from '@fooddelivery/adapters/logger';
import type { Order } from '../../domain/order.js';
import { isDuplicateKey, type OrderDatabase, type OrderViewDocument } from './order-database.js';
import { toView } from './order-view.js';

/**
 * Keeps `order_views` up to date behind the requests: each order's latest fold is written by _id,
 * a few at a time, and an order changed again before its write started is written once, at its
 * latest version. Readers check the log after the view, so a view that lags (or a write lost in a
 * crash) only costs a read. FerretDB on SQLite slows down sharply with concurrent updates, which
 * is why they are kept few and out of the way.
 */
export class OrderViewWriter {
  private readonly due = new Map<string, OrderViewDocument>();
  private running = 0;
  private idle: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;

  constructor(
    private readonly database: OrderDatabase,
    private readonly logger?: Logger,
    private readonly concurrency = 2,
  ) {}

  /** Writes the first version at once (an insert, cheap), later ones in the background. */
  async write(order: Order): Promise<void> {
    const view = toView(order.snapshot());
    if (order.version === 1) {
      await this.insertOrReplace(view);
      return;
    }
    this.schedule(view);
  }

  schedule(view: OrderViewDocument): void {
    const queued = this.due.get(view._id);
    if (queued && queued.version >= view.version) return;
    this.due.set(view._id, view);
    if (this.running === 0) this.idle = new Promise((resolve) => (this.release = resolve));
    while (this.running < this.concurrency && this.due.size > 0) {
      this.running++;
      void this.drain();
    }
  }

  /** Resolves once every scheduled view is written (or given up on). */
  flushed(): Promise<void> {
    return this.idle;
  }

  private async drain(): Promise<void> {
    for (let next = this.take(); next; next = this.take()) {
      await this.replace(next).catch((error: unknown) =>
        this.logger?.warn({ err: error, orderId: next?._id }, 'order view not updated; readers repair it'),
      );
    }
    if (--this.running === 0) this.release?.();
  }

  private take(): OrderViewDocument | undefined {
    const [orderId, view] = this.due.entries().next().value ?? [];
    if (orderId === undefined) return undefined;
    this.due.delete(orderId);
    return view;
  }

  private async replace(view: OrderViewDocument): Promise<void> {
    const replaced = await this.database.views.replaceOne({ _id: view._id }, view);
    if (replaced.matchedCount === 0) await this.insertOrReplace(view);
  }

  private async insertOrReplace(view: OrderViewDocument): Promise<void> {
    try {
      await this.database.inserts.views.insert(view);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      await this.database.views.replaceOne({ _id: view._id }, view);
    }
  }
}
