import { setTimeout as sleep } from 'node:timers/promises';
import type { OrderChangeWait } from '../../application/ports.js';

/**
 * Wakes whoever waits for an order as soon as this process appends to its log. Changes written
 * by another replica are seen when the wait ends (the waiter reads the log then).
 */
export class LocalOrderChanges implements OrderChangeWait {
  private readonly waiting = new Map<string, Set<() => void>>();

  appended(orderId: string): void {
    const waiters = this.waiting.get(orderId);
    if (!waiters) return;
    this.waiting.delete(orderId);
    for (const wake of waiters) wake();
  }

  async until(orderId: string, ms: number): Promise<void> {
    const abort = new AbortController();
    const wake = () => abort.abort();
    const waiters = this.waiting.get(orderId) ?? new Set();
    waiters.add(wake);
    this.waiting.set(orderId, waiters);
    try {
      await sleep(ms, undefined, { signal: abort.signal });
    } catch {
      // woken by a change
    } finally {
      waiters.delete(wake);
      if (waiters.size === 0 && this.waiting.get(orderId) === waiters) this.waiting.delete(orderId);
    }
  }
}
