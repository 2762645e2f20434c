import type { OrderTracking } from '../domain/tracking.js';
import { tooManyWatches, trackingNotFound } from '../domain/notification.errors.js';
import { maySee, type Actor } from './actor.js';
import type { TrackingBacklog, TrackingRepository } from './ports.js';
import { requireId } from './validation.js';

export interface WatchLimits {
  /** Watches one caller (token subject) may hold open at once on this replica. */
  perCaller: number;
  /** Watches this replica holds open at once, for all callers together. */
  total: number;
  /** A watch is ended after this long; the client watches again. */
  maxDurationMs: number;
  /** How long an order not in the view may be waited for while the view catches up with events already published. */
  catchUpMs: number;
}

export type WatchOutcome = 'finished' | 'aborted' | 'expired';

/**
 * The current tracking, then every change, until the order is finished (delivered, or cancelled
 * or rejected and refunded), `signal` aborts (the caller left, its deadline passed, the service
 * is stopping) or the watch reaches its maximum duration.
 *
 * An order the caller may not see and an order that does not exist are answered alike: NOT_FOUND
 * once the view has caught up with the events already published (at once when it is not
 * behind), so a watch started right after PlaceOrder still finds its order.
 */
export class WatchOrder {
  private readonly openByCaller = new Map<string, number>();
  private open = 0;

  constructor(
    private readonly trackings: TrackingRepository,
    private readonly backlog: TrackingBacklog,
    private readonly limits: WatchLimits,
  ) {}

  async execute(
    actor: Actor,
    orderId: string,
    signal: AbortSignal,
    send: (tracking: OrderTracking) => Promise<void>,
  ): Promise<WatchOutcome> {
    const id = requireId('order_id', orderId);
    const leave = this.enter(actor);
    try {
      if (!(await this.requireVisible(actor, id, signal))) return 'aborted';
      const expiry = AbortSignal.timeout(this.limits.maxDurationMs);
      for await (const tracking of this.trackings.watch(id, AbortSignal.any([signal, expiry]))) {
        if (!maySee(actor, tracking)) throw trackingNotFound(id);
        await send(tracking);
        if (tracking.isFinished) return 'finished';
      }
      return expiry.aborted && !signal.aborted ? 'expired' : 'aborted';
    } finally {
      leave();
    }
  }

  get maxDurationMs(): number {
    return this.limits.maxDurationMs;
  }

  /** Watches open now, for everyone. */
  get watching(): number {
    return this.open;
  }

  /** true once the caller may see the order; false when `signal` ended the wait first. */
  private async requireVisible(actor: Actor, orderId: string, signal: AbortSignal): Promise<boolean> {
    const visible = async () => {
      const found = await this.trackings.read(orderId);
      return found !== undefined && maySee(actor, found);
    };
    if (await visible()) return true;
    await this.backlog.caughtUp(this.limits.catchUpMs, signal);
    if (signal.aborted) return false;
    if (!(await visible())) throw trackingNotFound(orderId);
    return true;
  }

  private enter(actor: Actor): () => void {
    const caller = `${actor.role}:${actor.subject}`;
    const held = this.openByCaller.get(caller) ?? 0;
    if (held >= this.limits.perCaller) throw tooManyWatches(this.limits.perCaller, 'caller');
    if (this.open >= this.limits.total) throw tooManyWatches(this.limits.total, 'replica');
    this.openByCaller.set(caller, held + 1);
    this.open++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.open--;
      const remaining = (this.openByCaller.get(caller) ?? 1) - 1;
      if (remaining === 0) this.openByCaller.delete(caller);
      else this.openByCaller.set(caller, remaining);
    };
  }
}
