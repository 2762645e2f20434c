import { env } from '@fooddelivery/adapters/config';
import { connectNats } from '@fooddelivery/adapters/jetstream';
import { runService } from '@fooddelivery/adapters/service-runtime';
import { descriptorSet } from '@fooddelivery/gen/descriptor';
import { TrackingServiceService } from '@fooddelivery/gen/fooddelivery/notification/v1/tracking_service';
import { z } from 'zod';
import type { Notifier } from './application/ports.js';
import { buildApplication } from './app.js';
import { NotificationDispatcher } from './adapters/dispatch/notification-dispatcher.js';
import { systemClock } from '@fooddelivery/adapters/ids';
import { KakaoNotifier } from './adapters/notifier/kakao-notifier.js';
import { LogNotifier } from './adapters/notifier/log-notifier.js';
import { KvNotificationRepository } from './adapters/persistence/kv-notification.repository.js';
import { KvTrackingRepository } from './adapters/persistence/kv-tracking.repository.js';
import { JetStreamTrackingBacklog } from './adapters/persistence/tracking-backlog.js';
import { trackOrders } from './adapters/events/track-status.consumer.js';

await runService({
  name: 'notification',
  ports: { grpc: 50054, http: 8084 },
  descriptorSet,
  definitions: [TrackingServiceService],
  config: {
    /** log: messages go to the log; kakao: a KakaoTalk-style HTTP message API. */
    NOTIFIER: z.enum(['log', 'kakao'], { message: 'must be log or kakao' }).default('log'),
    /** The message endpoint; required with NOTIFIER=kakao. */
    KAKAO_API_URL: z
      .string()
      .default('')
      .refine((value) => value === '' || /^https?:\/\/[^\s]+$/.test(value), 'must be a URL starting with http:// or https://'),
    KAKAO_API_TOKEN: z.string().default(''),
    NOTIFICATION_LANGUAGE: z.enum(['ko', 'en'], { message: 'must be ko or en' }).default('ko'),
    /** Delays after each failed delivery attempt; the last one repeats until NOTIFY_MAX_ATTEMPTS. */
    NOTIFY_BACKOFF_MS: env.millisecondsList('1000,5000,30000'),
    NOTIFY_MAX_ATTEMPTS: env.positiveInt(10),
    NOTIFY_TIMEOUT_MS: env.positiveInt(5_000),
    NOTIFY_CONCURRENCY: env.positiveInt(8),
    /** Copies of each KV bucket in a NATS cluster (1 on a single server). */
    KV_REPLICAS: env.positiveInt(1),
    /** Order watches one caller (token subject) may hold open at once, per replica. */
    WATCH_MAX_PER_CALLER: env.positiveInt(5),
    /** Order watches a replica holds open at once, for all callers. */
    WATCH_MAX_OPEN: env.positiveInt(10_000),
    /** A watch is ended (UNAVAILABLE: watch again) after this long. */
    WATCH_MAX_DURATION_MS: env.positiveInt(30 * 60_000),
    /** How long an order not in the view yet may be waited for while the view catches up with published events. */
    WATCH_CATCH_UP_MS: env.positiveInt(3_000),
    /** Trackings the in-memory read view holds at most (the least recently used leave first). */
    TRACKING_VIEW_MAX_ENTRIES: env.positiveInt(50_000),
  },
  rules: (config) =>
    config.NOTIFIER === 'kakao' && !config.KAKAO_API_URL ? ['KAKAO_API_URL must be set when NOTIFIER=kakao (not set)'] : [],
  async start({ config, logger, metrics, retry, onShutdown, consume, stopping }) {
    const nats = await retry('NATS', () => connectNats(config.NATS_URL, 'notification', logger, config.NATS_NKEY_SEED_FILE));
    onShutdown(() => nats.drain());

    // This service's own store is JetStream KV: no server to run besides NATS, replicated with
    // it (KV_REPLICAS), compare-and-set on the revision for concurrent handlers, and watchable,
    // which is what WatchOrder streams from. One bucket per kind of record, history 1.
    const trackings = new KvTrackingRepository(
      await retry('KV bucket notification_tracking', () =>
        nats.jetstream().views.kv('notification_tracking', { history: 1, replicas: config.KV_REPLICAS }),
      ),
      { viewMaxEntries: config.TRACKING_VIEW_MAX_ENTRIES },
      nats,
    );
    onShutdown(() => trackings.close());
    const backlog = new JetStreamTrackingBacklog(await nats.jetstreamManager(), {
      stream: trackOrders.stream,
      durable: trackOrders.durable,
      subject: 'fooddelivery.order.placed',
    });
    const notifications = await retry('KV buckets notification_messages, notification_pending', () =>
      KvNotificationRepository.open(nats, { messages: 'notification_messages', pending: 'notification_pending' }, config.KV_REPLICAS),
    );

    const notifier: Notifier =
      config.NOTIFIER === 'kakao'
        ? new KakaoNotifier({ url: config.KAKAO_API_URL, token: config.KAKAO_API_TOKEN, timeoutMs: config.NOTIFY_TIMEOUT_MS })
        : new LogNotifier(logger);
    const app = buildApplication(
      { trackings, backlog, notifications, notifier, clock: systemClock, logger },
      {
        language: config.NOTIFICATION_LANGUAGE,
        backoffMs: config.NOTIFY_BACKOFF_MS,
        maxAttempts: config.NOTIFY_MAX_ATTEMPTS,
        leaseMs: config.NOTIFY_TIMEOUT_MS + 5_000,
        watch: {
          perCaller: config.WATCH_MAX_PER_CALLER,
          total: config.WATCH_MAX_OPEN,
          maxDurationMs: config.WATCH_MAX_DURATION_MS,
          catchUpMs: config.WATCH_CATCH_UP_MS,
        },
      },
      stopping,
    );
    for (const subscription of app.subscriptions) await consume(nats, subscription);
    const dispatcher = new NotificationDispatcher(
      notifications,
      app.useCases.deliverNotification,
      logger,
      { concurrency: config.NOTIFY_CONCURRENCY },
      metrics,
    );
    // Registered last, so it stops first: no send starts while consumers and NATS wind down.
    dispatcher.start();
    onShutdown(() => dispatcher.stop());
    return app.bindings;
  },
});
