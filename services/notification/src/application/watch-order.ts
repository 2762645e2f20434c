import type { OrderTracking } from '../domain/tracking.js';
import type { TrackingRepository } from './ports.js';
import { requireId } from './validation.js';

/**
 * The current tracking, then every change, until the order is finished (delivered, or refunded
 * after a cancellation or rejection) or `signal` aborts (the caller left, its deadline passed,
 * the service is stopping). An order not tracked yet is waited for, not refused: a customer may
 * start watching before the first event has reached this service.
 */
export class WatchOrder {
  constructor(private readonly trackings: TrackingRepository) {}

  async execute(orderId: string, signal: AbortSignal, send: (tracking: OrderTracking) => Promise<void>): Promise<void> {
    const id = requireId('order_id', orderId);
    for await (const tracking of this.trackings.watch(id, signal)) {
      await send(tracking);
      if (tracking.isFinished) return;
    }
  }
}
