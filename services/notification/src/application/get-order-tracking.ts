import { trackingNotFound } from '../domain/notification.errors.js';
import type { OrderTracking } from '../domain/tracking.js';
import { maySee, type Actor } from './actor.js';
import type { TrackingRepository } from './ports.js';
import { requireId } from './validation.js';

/** Where an order stands, from this service's own view (no other service is asked). */
export class GetOrderTracking {
  constructor(private readonly trackings: TrackingRepository) {}

  async execute(actor: Actor, orderId: string): Promise<OrderTracking> {
    const found = await this.trackings.read(requireId('order_id', orderId));
    if (!found || !maySee(actor, found)) throw trackingNotFound(orderId);
    return found;
  }
}
