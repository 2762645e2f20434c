import { notImplemented } from '@fooddelivery/adapters/errors';
import { connectNats } from '@fooddelivery/adapters/jetstream';
import { bindService } from '@fooddelivery/adapters/rpc';
import { runService } from '@fooddelivery/adapters/service-runtime';
import { descriptorSet } from '@fooddelivery/gen/descriptor';
import { TrackingServiceService } from '@fooddelivery/gen/fooddelivery/notification/v1/tracking_service';

await runService({
  name: 'notification',
  ports: { grpc: 50054, http: 8084 },
  descriptorSet,
  definitions: [TrackingServiceService],
  config: {},
  async start({ config, logger, retry, onShutdown }) {
    const nats = await retry('NATS', () => connectNats(config.NATS_URL, 'notification', logger));
    onShutdown(() => nats.drain());
    // The tracking view lives in a JetStream key-value bucket: this service's own store.
    await retry('tracking store', async () => {
      await nats.jetstream().views.kv('order_tracking', { history: 1 });
    });
    // Tracking and notifications arrive with the tracking capability.
    return [bindService(TrackingServiceService, notImplemented(TrackingServiceService))];
  },
});
