import type { OrderTracking } from '../domain/tracking.js';
import { trackingNotFound } from '../domain/notification.errors.js';
import { maySee, type Actor } from './actor.js';
import type { TrackingRepository } from './ports.js';
import { requireId } from './validation.js';

/**
 * The current tracking, then every change, until the order is finished (delivered, or cancelled
 * or rejected and refunded) or `signal` aborts (the caller left, its deadline passed,
 * the service is stopping). An order not tracked yet is waited for, not refused: a customer may
 * start watching before the first event has reached this service.
 */
export class WatchOrder {
  constructor(private readonly trackings: TrackingRepository) {}

  async execute(
    actor: Actor,
    orderId: string,
    signal: AbortSignal,
    send: (tracking: OrderTracking) => Promise<void>,
  ): Promise<'finished' | 'aborted'> {
    const id = requireId('order_id', orderId);
    for await (const tracking of this.trackings.watch(id, signal)) {
      if (!maySee(actor, tracking)) throw trackingNotFound(id);
      await send(tracking);
      if (tracking.isFinished) return 'finished';
    }
    return 'aborted';
  }
}
