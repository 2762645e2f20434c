import type { Logger } from '@fooddelivery/adapters/logger';
import type { Metrics } from '@fooddelivery/adapters/metrics';
import type { DeliverNotification, DeliveryResult } from '../../application/deliver-notification.js';
import type { NotificationKey, PendingWorkList } from '../../application/ports.js';

export interface DispatcherOptions {
  /** Deliveries in flight at once. */
  concurrency: number;
  /** Wait after an unexpected failure (e.g. NATS unreachable) before trying again. */
  retryAfterErrorMs?: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Sends pending notifications apart from the event handlers, so a slow or failing provider
 * never delays the tracking view. It follows the work list (a KV watch: what is pending at start,
 * after a restart too, then each new entry, from any replica) and runs each notification's
 * attempts at the times DeliverNotification gives back (its retry backoff).
 */
export class NotificationDispatcher {
  private readonly keys = new Map<string, NotificationKey>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  /** Changed while an attempt was running: look again right after it. */
  private readonly again = new Set<string>();
  private readonly waiting: Array<() => void> = [];
  private active = 0;
  private readonly stopping = new AbortController();
  private following: Promise<void> | undefined;

  constructor(
    private readonly workList: PendingWorkList,
    private readonly deliver: DeliverNotification,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions,
    private readonly metrics?: Metrics,
  ) {}

  start(): void {
    this.following = this.follow();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const release of this.waiting.splice(0)) release();
    await this.following;
    await Promise.all(this.running.values());
  }

  private async follow(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        for await (const change of this.workList.watchPending(signal)) {
          if (change.key) {
            this.keys.set(change.marker, change.key);
            this.schedule(change.marker, 0);
          } else {
            this.keys.delete(change.marker);
            clearTimeout(this.timers.get(change.marker));
            this.timers.delete(change.marker);
          }
        }
        if (signal.aborted) return;
        this.logger.warn('following pending notifications stopped; following again shortly');
      } catch (error) {
        if (signal.aborted) return;
        this.logger.warn({ err: error }, 'following pending notifications failed; following again shortly');
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.retryAfterErrorMs ?? 1_000));
    }
  }

  private schedule(marker: string, delayMs: number): void {
    if (this.stopping.signal.aborted) return;
    if (this.running.has(marker)) {
      this.again.add(marker);
      return;
    }
    clearTimeout(this.timers.get(marker));
    const timer = setTimeout(() => this.run(marker), Math.min(MAX_TIMER_MS, Math.max(0, delayMs)));
    this.timers.set(marker, timer);
  }

  private run(marker: string): void {
    this.timers.delete(marker);
    const key = this.keys.get(marker);
    if (!key || this.running.has(marker)) return;
    const attempt = this.attempt(marker, key).then((retryAt) => {
      this.running.delete(marker);
      const changedMeanwhile = this.again.delete(marker);
      if (!this.keys.has(marker)) return;
      if (changedMeanwhile) this.schedule(marker, 0);
      else if (retryAt) this.schedule(marker, retryAt.getTime() - Date.now());
    });
    this.running.set(marker, attempt);
  }

  private async attempt(marker: string, key: NotificationKey): Promise<Date | undefined> {
    await this.acquire();
    try {
      if (this.stopping.signal.aborted) return undefined;
      const result = await this.deliver.execute(key);
      this.report(key, result);
      if (!result.retryAt) {
        this.keys.delete(marker);
        await this.workList.dropPending(marker);
      }
      return result.retryAt;
    } catch (error) {
      this.logger.warn(
        { err: error, orderId: key.orderId, status: key.status },
        'notification delivery could not run; trying again shortly',
      );
      return new Date(Date.now() + (this.options.retryAfterErrorMs ?? 1_000));
    } finally {
      this.release();
    }
  }

  private report(key: NotificationKey, result: DeliveryResult): void {
    const attempted = result.attempted;
    if (!attempted) return;
    const fields = { orderId: key.orderId, notificationId: attempted.notificationId, attempts: attempted.attempts };
    this.metrics?.counter('notifications_attempts_total', 'Notification delivery attempts, by outcome', ['outcome']).inc({
      outcome: attempted.deliveryState === 'sent' ? 'sent' : attempted.deliveryState === 'failed' ? 'given_up' : 'retrying',
    });
    if (attempted.deliveryState === 'sent') this.logger.info(fields, 'notification sent');
    else if (attempted.deliveryState === 'failed')
      this.logger.error({ ...fields, error: attempted.lastError }, 'notification given up; kept as failed');
    else this.logger.warn({ ...fields, error: attempted.lastError, retryAt: result.retryAt }, 'notification not delivered; will retry');
  }

  private async acquire(): Promise<void> {
    if (this.active < this.options.concurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }
}
