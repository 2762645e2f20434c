import type { Metrics } from './metrics.js';

/** What an outbox still has to publish. */
export interface OutboxBacklog {
  /** Items (events committed with a state change) not published yet, and when the oldest was committed. */
  backlog(): Promise<{ items: number; oldest: Date | undefined }>;
}

/**
 * The outbox's backlog as gauges, read from the store when /metrics is scraped: `outbox_unpublished`
 * and `outbox_oldest_unpublished_age_seconds` (0 when nothing waits). Every replica reports the
 * same store, so aggregate with max(). A store that does not answer leaves the last values.
 */
export function observeOutbox(outbox: OutboxBacklog, metrics: Metrics): void {
  const unpublished = metrics.gauge('outbox_unpublished', 'Outbox items (events committed with a state change) not published yet');
  const oldestAge = metrics.gauge('outbox_oldest_unpublished_age_seconds', 'Age of the oldest outbox item not published yet (0: none)');
  let reading: Promise<void> | undefined;
  const read = () =>
    (reading ??= outbox
      .backlog()
      .then(({ items, oldest }) => {
        unpublished.set(items);
        oldestAge.set(oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0);
      })
      .catch(() => {})
      .finally(() => (reading = undefined)));
  metrics.onScrape(read);
}
