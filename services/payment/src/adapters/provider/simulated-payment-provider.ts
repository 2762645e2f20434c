import type { Money } from '../../domain/money.js';
import { authorizationAbandoned, providerBusy } from '../../domain/payment.errors.js';
import type { Authorization, PaymentProvider } from '../../application/ports.js';

export interface SimulatedProviderSettings {
  latencyMinMs: number;
  latencyMaxMs: number;
  /** Authorizations handled at the same time; 0 for no limit. */
  capacity: number;
  /** Authorizations allowed to wait for a free slot; more are refused at once. */
  queueLimit: number;
  /** Cards whose token starts with this are declined. */
  declineCardPrefix: string;
}

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/**
 * Stands in for the external payment provider: answers after a random latency, handles a
 * bounded number of authorizations at once behind a bounded queue, and declines cards by prefix.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  private busy = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly settings: SimulatedProviderSettings,
    private readonly sleep: Sleep = abortableSleep,
    private readonly random: () => number = Math.random,
  ) {
    if (settings.latencyMinMs > settings.latencyMaxMs) throw new RangeError('latencyMinMs must not exceed latencyMaxMs');
  }

  /** Authorizations being handled now and waiting for a slot. */
  get load(): { busy: number; queued: number } {
    return { busy: this.busy, queued: this.queue.length };
  }

  async authorize(cardToken: string, _amount: Money, signal: AbortSignal): Promise<Authorization> {
    await this.takeSlot(signal);
    try {
      const { latencyMinMs: min, latencyMaxMs: max } = this.settings;
      const latencyMs = min + Math.floor(this.random() * (max - min + 1));
      // No latency means an answer at once, not at the event loop's next turn of timers.
      if (latencyMs > 0) await this.sleep(latencyMs, signal);
    } finally {
      this.releaseSlot();
    }
    if (signal.aborted) throw authorizationAbandoned();
    return cardToken.startsWith(this.settings.declineCardPrefix) ? { approved: false, reason: 'card declined' } : { approved: true };
  }

  private async takeSlot(signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw authorizationAbandoned();
    const { capacity, queueLimit } = this.settings;
    if (capacity === 0 || this.busy < capacity) {
      this.busy++;
      return;
    }
    if (this.queue.length >= queueLimit) throw providerBusy();
    await new Promise<void>((resolve, reject) => {
      const granted = () => {
        signal.removeEventListener('abort', abandoned);
        resolve();
      };
      const abandoned = () => {
        this.queue.splice(this.queue.indexOf(granted), 1);
        reject(authorizationAbandoned());
      };
      this.queue.push(granted);
      signal.addEventListener('abort', abandoned, { once: true });
    });
  }

  /** Hands the slot straight to the next in the queue, so a newcomer cannot overtake it. */
  private releaseSlot(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.busy--;
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
