import { env } from '@fooddelivery/adapters/config';
import { notImplemented } from '@fooddelivery/adapters/errors';
import { connectNats, ensureStream } from '@fooddelivery/adapters/jetstream';
import { openSqlOrm } from '@fooddelivery/adapters/orm';
import { bindService } from '@fooddelivery/adapters/rpc';
import { runService } from '@fooddelivery/adapters/service-runtime';
import { descriptorSet } from '@fooddelivery/gen/descriptor';
import { StoreServiceService } from '@fooddelivery/gen/fooddelivery/store/v1/store_service';

await runService({
  name: 'store',
  ports: { grpc: 50053, http: 8083 },
  descriptorSet,
  definitions: [StoreServiceService],
  config: {
    DATABASE_URL: env.sqlDatabaseUrl('sqlite:.data/store.sqlite'),
  },
  async start({ config, logger, retry, onShutdown }) {
    const nats = await retry('NATS', () => connectNats(config.NATS_URL, 'store', logger));
    onShutdown(() => nats.drain());
    await retry('JetStream stream', () => ensureStream(nats, 'FOODDELIVERY_STORE', ['fooddelivery.store.>']));
    const orm = await retry('database', () => openSqlOrm(config.DATABASE_URL, []));
    onShutdown(() => orm.close());
    // The store owner's order handling arrives with the store-flow capability.
    return [bindService(StoreServiceService, notImplemented(StoreServiceService))];
  },
});
