/**
 * Load generators shared by the benches.
 *
 * - `closedLoop`: a fixed number of callers, each sending its next call when the last one has
 *   answered; finds the highest rate a server sustains.
 * - `openLoop`: calls sent at a fixed arrival rate whatever the answers do. Each call's latency
 *   is measured from the time it was *meant* to be sent, so a server that falls behind shows its
 *   queueing in the latency instead of silently slowing the generator down (coordinated omission).
 */
import { median, quantile, table } from './support.js';

/** One call to the system under test; rejects when the call failed. */
export type Call = (sequence: number) => Promise<unknown>;

export interface LoadResult {
  /** Successful calls per second over the run. */
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Open model only: calls not sent because `maxInFlight` were already waiting. */
  dropped: number;
}

export async function closedLoop(call: Call, options: { concurrency: number; durationMs: number }): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let sequence = 0;
  const started = performance.now();
  const end = started + options.durationMs;
  const caller = async () => {
    while (performance.now() < end) {
      const sent = performance.now();
      try {
        await call(sequence++);
        latencies.push(performance.now() - sent);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, caller));
  return summarize(latencies, errors, 0, performance.now() - started);
}

export async function openLoop(
  call: Call,
  options: { ratePerSecond: number; durationMs: number; maxInFlight?: number },
): Promise<LoadResult> {
  const interval = 1000 / options.ratePerSecond;
  const total = Math.floor((options.durationMs / 1000) * options.ratePerSecond);
  const maxInFlight = options.maxInFlight ?? 10_000;
  const latencies: number[] = [];
  const pending = new Set<Promise<void>>();
  let errors = 0;
  let dropped = 0;
  const started = performance.now();
  for (let sequence = 0; sequence < total; sequence++) {
    const intended = started + sequence * interval;
    const wait = intended - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (pending.size >= maxInFlight) {
      dropped++;
      continue;
    }
    const sent = call(sequence).then(
      () => void latencies.push(performance.now() - intended),
      () => void errors++,
    );
    pending.add(sent);
    void sent.finally(() => pending.delete(sent));
  }
  await Promise.all(pending);
  return summarize(latencies, errors, dropped, Math.max(options.durationMs, performance.now() - started));
}

function summarize(latencies: number[], errors: number, dropped: number, elapsedMs: number): LoadResult {
  return {
    callsPerSecond: latencies.length / (elapsedMs / 1000),
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    errors,
    dropped,
  };
}

export function describeResult(result: LoadResult): string {
  return (
    `${result.callsPerSecond.toFixed(0)} calls/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ` +
    `${result.errors} errors${result.dropped ? `, ${result.dropped} not sent (too many in flight)` : ''}`
  );
}

/** Calls per second, the median of the rounds. */
export function medianRate(results: LoadResult[]): number {
  return median(results.map((result) => result.callsPerSecond));
}

/** One row per server: the medians of its rounds, and each round's calls per second. */
export function roundsTable(targets: Array<{ name: string; results: LoadResult[] }>): string {
  return table(
    targets.map((target) => ({
      server: target.name,
      'calls/s (median)': medianRate(target.results),
      'p50 ms': median(target.results.map((result) => result.p50Ms)),
      'p99 ms': median(target.results.map((result) => result.p99Ms)),
      errors: target.results.reduce((sum, result) => sum + result.errors, 0),
      'calls/s per round': target.results.map((result) => result.callsPerSecond.toFixed(0)).join(' / '),
    })),
  );
}
