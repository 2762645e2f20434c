import { paymentUnavailable } from '../../domain/order.errors.js';

/**
 * How many approvals this replica sends to payment at once, learnt from payment's own "busy"
 * answers: the approvals in flight when payment said it was full become the limit, and every
 * approval that completes raises it a little (additive increase), so it follows payment's capacity.
 * Beyond the limit an approval waits, first come first served, as long as the time it would still
 * have in its budget covers the slowest recent approval; a slot freed goes straight to the next in
 * line, so payment never idles while orders wait. When even waiting cannot help, the order is
 * refused at once, before any I/O.
 */
export class PaymentAdmission {
  private inFlight = 0;
  private limit = Number.POSITIVE_INFINITY;
  private readonly waiting: Array<() => void> = [];
  private readonly recent: number[] = [];

  constructor(
    /** The whole payment step's budget: waiting here plus the call. */
    private readonly budgetMs: number,
    private readonly onLimit: (limit: number) => void = () => {},
  ) {}

  /** True when an approval asked for now would be refused (no room, and no use waiting). */
  isFull(): boolean {
    return this.inFlight + this.waiting.length >= this.limit + this.queueRoom();
  }

  /** Takes a slot, waiting if needed; resolves with the milliseconds left of the budget for the call. */
  async enter(): Promise<number> {
    const started = Date.now();
    if (this.inFlight < this.limit) {
      this.inFlight++;
      return this.budgetMs;
    }
    if (this.waiting.length >= this.queueRoom()) throw paymentUnavailable('busy', 1);
    const maxWaitMs = this.maxWaitMs();
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(grant), 1);
        reject(paymentUnavailable('busy', 1));
      }, maxWaitMs);
      this.waiting.push(grant);
    });
    return this.budgetMs - (Date.now() - started);
  }

  /** Gives the slot back: `busy` when payment said it was full, with how long a taken approval took. */
  leave(outcome: { busy: true } | { busy: false; tookMs?: number }): void {
    if (outcome.busy) this.limit = Math.min(this.limit, Math.max(1, this.inFlight - 1));
    else {
      if (outcome.tookMs !== undefined) this.remember(outcome.tookMs);
      if (Number.isFinite(this.limit)) this.limit = this.limit >= 10_000 ? Number.POSITIVE_INFINITY : this.limit + 1 / this.limit;
    }
    this.onLimit(this.limit);
    // The slot passes to the next waiting approval if the limit still has room for it.
    const next = this.inFlight <= this.limit ? this.waiting.shift() : undefined;
    if (next) next();
    else this.inFlight--;
  }

  /** Waiting is worth it only while the budget left still covers the slowest recent approval. */
  private maxWaitMs(): number {
    const slowest = this.recent.length > 0 ? Math.max(...this.recent) : this.budgetMs / 2;
    return Math.max(0, this.budgetMs - slowest - 50);
  }

  private queueRoom(): number {
    return Number.isFinite(this.limit) && this.maxWaitMs() > 0 ? Math.ceil(this.limit) : 0;
  }

  private remember(ms: number): void {
    this.recent.push(ms);
    if (this.recent.length > 32) this.recent.shift();
  }
}
