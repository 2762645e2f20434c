import { temporaryDirectory } from '@fooddelivery/stack/temp-dirs';
import { create, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { descriptorRegistry } from '@fooddelivery/adapters/http-routes';
import { descriptorSet } from '@fooddelivery/gen/descriptor';
import { OrderStatus } from '@fooddelivery/gen/fooddelivery/order/v1/order';
import { OrderCancelled, OrderPlaced } from '@fooddelivery/gen/fooddelivery/order/v1/order_events';
import { OrderServiceClient, OrderServiceService } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { PaymentRefunded } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_events';
import { PaymentServiceService } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_service';
import { PaymentStatus } from '@fooddelivery/gen/fooddelivery/payment/v1/payment';
import { TrackingServiceClient, type WatchOrderResponse } from '@fooddelivery/gen/fooddelivery/notification/v1/tracking_service';
import { DeliveryCompleted, OrderAccepted } from '@fooddelivery/gen/fooddelivery/store/v1/store_events';
import { connectTo, type ServiceIdentity } from '@fooddelivery/stack/nats-access';
import { repoRoot } from '@fooddelivery/stack/paths';
import { stopAll } from '@fooddelivery/stack/processes';
import { serviceCommand, type ServiceName } from '@fooddelivery/stack/service';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import { devToken } from '@fooddelivery/stack/tokens';
import { credentials, makeGenericClientConstructor, Metadata, status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { decodeJwt, exportJWK, generateKeyPair, importPKCS8, SignJWT, type JWTPayload } from 'jose';
import { connect, headers as natsHeaders, nkeyAuthenticator, type NatsConnection } from 'nats';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../support/events.js';
import { call, clients, grpcError, type UnaryMethod } from '../support/grpc-clients.js';
import { anOrder } from '../support/orders.js';
import { makeCertificates } from '../support/tls.js';

const STORE = 'store-seoul-chicken';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const devKey = () => importPKCS8(readFileSync(join(repoRoot, 'envoy/dev-keys/jwt-private.pem'), 'utf8'), 'ES256');
const now = () => Math.floor(Date.now() / 1000);

/** A token signed with the development key, with exactly the claims given (none added). */
async function tokenWith(claims: JWTPayload, alg = 'ES256'): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg, kid: 'fooddelivery-dev-1', typ: 'JWT' });
  return alg === 'HS256' ? jwt.sign(new TextEncoder().encode('a-shared-secret-anyone-could-guess')) : jwt.sign(await devKey());
}

/** Resolves with the rejection of `promise` (fails if it resolves). */
async function refusal(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a refusal');
}

describe('security hardening: authenticated events, no deployable development keys, scoped services, bounded streams', function () {
  this.timeout(300_000);
  let system: TestSystem;
  let api: ReturnType<typeof clients>;
  let ops: NatsConnection;
  const tokens: Record<string, string> = {};

  const rest = async (service: 'order' | 'payment' | 'notification', method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${system.service(service).http}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token && bearer(token)) },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as { message?: string } };
  };
  const place = async (customer: string) => {
    const placed = await call(api.order.placeOrder.bind(api.order), anOrder({ customerId: '' }), { metadata: bearer(tokens[customer]!) });
    return placed.order!.orderId;
  };
  const storeOrders = async () => {
    const ids: string[] = [];
    for (let pageToken = ''; ; ) {
      const page = await call(
        api.store.listStoreOrders.bind(api.store),
        { storeId: STORE, status: 0, pageSize: 100, pageToken },
        { metadata: bearer(tokens.owner!) },
      );
      ids.push(...page.orders.map((candidate) => candidate.orderId));
      if (!page.nextPageToken) return ids;
      pageToken = page.nextPageToken;
    }
  };
  const atStore = (orderId: string) =>
    eventually(`order ${orderId} at the store`, async () => ((await storeOrders()).includes(orderId) ? true : undefined), 15_000);
  const serviceLogs = () =>
    ['order', 'payment', 'store', 'notification'].map((name) => readFileSync(join(system.dir, `${name}.log`), 'utf8')).join('\n');

  before(async () => {
    const jwt = { AUTH_MODE: 'jwt' };
    system = await startSystem(['payment', 'order', 'store', 'notification'], {
      payment: { ...jwt, PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '2' },
      order: jwt,
      store: jwt,
      notification: jwt,
    });
    api = clients({
      order: system.service('order').grpc,
      payment: system.service('payment').grpc,
      store: system.service('store').grpc,
      notification: system.service('notification').grpc,
    });
    ops = await connectTo(system.nats.url);
    Object.assign(tokens, {
      alice: await devToken('customer', 'c-alice'),
      bob: await devToken('customer', 'c-bob'),
      owner: await devToken('store_owner', STORE),
      admin: await devToken('admin', 'ops'),
      orderService: await devToken('service', 'order', { expiresIn: '10m' }),
      storeService: await devToken('service', 'store', { expiresIn: '10m' }),
    });
  });
  after(async () => {
    api?.close();
    await ops?.close();
    await stopAll();
  });

  describe('NATS: one identity per service, each allowed only its own subjects', () => {
    const as = async (identity: ServiceIdentity) =>
      connect({
        servers: system.nats.serviceUrl,
        authenticator: nkeyAuthenticator(new TextEncoder().encode(readFileSync(system.identities.seedFiles[identity], 'utf8').trim())),
        inboxPrefix: `_INBOX_${identity}`,
        maxReconnectAttempts: 0,
      });
    const counts = async (stream: string) => {
      const info = await (await ops.jetstreamManager()).streams.info(stream, { subjects_filter: '>' });
      return info.state.subjects ?? {};
    };

    it('refuses anonymous clients outright: nothing can be published or subscribed to', async () => {
      const error = await refusal(connect({ servers: system.nats.serviceUrl, maxReconnectAttempts: 0, reconnect: false }));
      expect(error.message).to.match(/authorization violation/i);
    });

    it("refuses forged events from every identity but the publisher's own, and nothing is acted on", async () => {
      const orderId = await place('alice');
      await atStore(orderId);
      const madeUp = randomUUID();
      const occurredAt = new Date();
      const total = { currencyCode: 'KRW', amountMinor: 38_500 };
      const forgeries: Array<{ by: ServiceIdentity; stream: string; subject: string; data: Uint8Array }> = [
        {
          by: 'store',
          stream: 'FOODDELIVERY_ORDER',
          subject: 'fooddelivery.order.placed',
          data: OrderPlaced.encode({
            eventId: randomUUID(),
            orderId: madeUp,
            occurredAt,
            customerId: 'c-mallory',
            storeId: STORE,
            items: [],
            total,
            deliveryAddress: 'the forger’s address',
            paymentId: 'p-0',
          }).finish(),
        },
        {
          by: 'notification',
          stream: 'FOODDELIVERY_ORDER',
          subject: 'fooddelivery.order.cancelled',
          data: OrderCancelled.encode({
            eventId: randomUUID(),
            orderId,
            occurredAt,
            customerId: 'c-alice',
            storeId: STORE,
            paymentId: '',
            total,
            reason: 'forged',
          }).finish(),
        },
        {
          by: 'payment',
          stream: 'FOODDELIVERY_STORE',
          subject: 'fooddelivery.store.delivery_completed',
          data: DeliveryCompleted.encode({
            eventId: randomUUID(),
            orderId,
            occurredAt,
            storeId: STORE,
            customerId: 'c-alice',
            total,
          }).finish(),
        },
        {
          by: 'store',
          stream: 'FOODDELIVERY_PAYMENT',
          subject: 'fooddelivery.payment.refunded',
          data: PaymentRefunded.encode({
            eventId: randomUUID(),
            orderId,
            occurredAt,
            paymentId: 'p-0',
            customerId: 'c-alice',
            amount: total,
            reason: 'forged',
          }).finish(),
        },
        {
          by: 'marketing',
          stream: 'FOODDELIVERY_STORE',
          subject: 'fooddelivery.store.accepted',
          data: OrderAccepted.encode({ eventId: randomUUID(), orderId, occurredAt, storeId: STORE, customerId: 'c-alice', total }).finish(),
        },
      ];
      for (const forgery of forgeries) {
        const before = (await counts(forgery.stream))[forgery.subject] ?? 0;
        const connection = await as(forgery.by);
        try {
          const error = await refusal(connection.jetstream().publish(forgery.subject, forgery.data, { timeout: 2_000 }));
          expect(error.message, `${forgery.by} → ${forgery.subject}`).to.match(/permissions violation|timeout/i);
          connection.publish(forgery.subject, forgery.data);
          await connection.flush();
        } finally {
          await connection.close();
        }
        expect((await counts(forgery.stream))[forgery.subject] ?? 0, `${forgery.by} → ${forgery.subject}: nothing stored`).to.equal(before);
      }

      const read = await call(api.order.getOrder.bind(api.order), { orderId }, { metadata: bearer(tokens.alice!) });
      expect(read.order?.status, 'the real order is still paid').to.equal(OrderStatus.ORDER_STATUS_PAID);
      const payment = await call(api.payment.getPayment.bind(api.payment), { orderId }, { metadata: bearer(tokens.alice!) });
      expect(payment.payment?.status, 'and its payment not refunded').to.equal(PaymentStatus.PAYMENT_STATUS_APPROVED);
      const storeOrderIds = await storeOrders();
      expect(storeOrderIds, 'the real order is at the store').to.include(orderId);
      expect(storeOrderIds, 'no store order for the made-up one').to.not.include(madeUp);
    });

    it("refuses a service reading others' events, using their consumers or changing their streams", async () => {
      const store = await as('store');
      try {
        const subscription = store.subscribe('fooddelivery.>');
        const ended = (async () => {
          for await (const message of subscription) void message;
        })();
        expect((await refusal(ended)).message).to.match(/permissions violation/i);
        const jsm = await store.jetstreamManager({ timeout: 2_000 });
        await refusal(jsm.consumers.info('FOODDELIVERY_ORDER', 'payment-refund-cancelled-order'));
        await refusal(jsm.streams.delete('FOODDELIVERY_ORDER'));
        await refusal(jsm.streams.update('FOODDELIVERY_PAYMENT', { max_age: 1_000_000_000 }));
      } finally {
        await store.close();
      }
      const info = await (await ops.jetstreamManager()).streams.info('FOODDELIVERY_ORDER');
      expect(info.config.name, 'the stream is still there').to.equal('FOODDELIVERY_ORDER');
    });

    it('takes identifiers from the payload: a header naming another order changes nothing of it', async () => {
      const [first, second] = [await place('alice'), await place('alice')];
      await atStore(first);
      await atStore(second);
      const store = await as('store');
      try {
        const header = natsHeaders();
        header.set('Correlation-Id', second);
        header.set('Event-Type', 'fooddelivery.store.v1.OrderAccepted');
        const eventId = randomUUID();
        header.set('Event-Id', eventId);
        const total = { currencyCode: 'KRW', amountMinor: 38_500 };
        const accepted = OrderAccepted.encode({
          eventId,
          orderId: first,
          occurredAt: new Date(),
          storeId: STORE,
          customerId: 'c-alice',
          total,
        });
        await store.jetstream().publish('fooddelivery.store.accepted', accepted.finish(), { headers: header, msgID: eventId });
      } finally {
        await store.close();
      }
      await eventually('the order the payload named to be accepted', async () => {
        const read = await call(api.order.getOrder.bind(api.order), { orderId: first }, { metadata: bearer(tokens.alice!) });
        return read.order?.status === OrderStatus.ORDER_STATUS_ACCEPTED ? true : undefined;
      });
      const read = await call(api.order.getOrder.bind(api.order), { orderId: second }, { metadata: bearer(tokens.alice!) });
      expect(read.order?.status, 'the order the header named').to.equal(OrderStatus.ORDER_STATUS_PAID);
    });
  });

  describe('no deployable development keys', () => {
    const run = (service: ServiceName, env: Record<string, string>) => {
      const { command, args, env: commandEnv } = serviceCommand(service);
      return spawnSync(command, args, {
        cwd: repoRoot,
        env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', GRPC_PORT: '0', HTTP_PORT: '0', ...commandEnv, ...env },
        encoding: 'utf8',
        timeout: 60_000,
      });
    };

    for (const service of ['order', 'payment', 'store', 'notification', 'marketing'] as const) {
      it(`${service}: DEPLOY_ENV=production with the default configuration exits 78, naming each variable`, () => {
        const result = run(service, { DEPLOY_ENV: 'production' });
        expect(result.status, result.stderr).to.equal(78);
        for (const variable of ['AUTH_ISSUER', 'AUTH_JWKS_FILE', 'NATS_NKEY_SEED_FILE']) expect(result.stderr).to.include(variable);
        expect(run(service, { DEPLOY_ENV: 'production', AUTH_MODE: 'off' }).stderr).to.include('AUTH_MODE must be jwt');
      });
    }

    it("with the operator's key set, issuer and NATS identity it starts, and refuses development tokens", async () => {
      const dir = temporaryDirectory('production-keys-');
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      const jwksFile = join(dir, 'jwks.json');
      writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'operator-1', alg: 'ES256', use: 'sig' }] }));
      const issuer = 'https://id.example.test/';
      const payment = await system.startReplica('payment', {
        DEPLOY_ENV: 'production',
        AUTH_MODE: 'jwt',
        AUTH_ISSUER: issuer,
        AUTH_JWKS_FILE: jwksFile,
      });
      const operatorToken = await new SignJWT({ role: 'customer' })
        .setProtectedHeader({ alg: 'ES256', kid: 'operator-1' })
        .setSubject('c-alice')
        .setIssuer(issuer)
        .setAudience('fooddelivery')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      const ask = (token: string) =>
        fetch(`${payment.http}/v1/payments/${randomUUID()}`, { headers: bearer(token) }).then((response) => response.status);
      expect(await ask(operatorToken), "the operator's token: past authentication").to.equal(404);
      expect(await ask(tokens.alice!), 'a development token').to.equal(401);
      await payment.process.stop();
    });
  });

  describe('scoped service identities', () => {
    it('only the order service (and admins) may approve and refund payments; another service may not', async () => {
      const request = { orderId: randomUUID(), reason: 'test' };
      const byStore = await grpcError(
        call(api.payment.refundPayment.bind(api.payment), request, { metadata: bearer(tokens.storeService!) }),
      );
      expect(byStore.code).to.equal(status.PERMISSION_DENIED);
      expect(byStore.details).to.include('store service');
      const byCustomer = await grpcError(call(api.payment.refundPayment.bind(api.payment), request, { metadata: bearer(tokens.alice!) }));
      expect(byCustomer.code).to.equal(status.PERMISSION_DENIED);
      await call(api.payment.refundPayment.bind(api.payment), request, { metadata: bearer(tokens.orderService!) }); // allowed (nothing to refund)
    });

    it('no service reads orders or trackings by being a service', async () => {
      const orderId = await place('alice');
      for (const token of [tokens.orderService!, tokens.storeService!]) {
        expect((await grpcError(call(api.order.getOrder.bind(api.order), { orderId }, { metadata: bearer(token) }))).code).to.equal(
          status.NOT_FOUND,
        );
        const tracking = await grpcError(call(api.tracking.getOrderTracking.bind(api.tracking), { orderId }, { metadata: bearer(token) }));
        expect(tracking.code).to.equal(status.NOT_FOUND);
      }
    });

    it("the order service's token is short-lived, names it, and is re-read when rotated", async () => {
      const claims = decodeJwt(readFileSync(system.orderPaymentTokenFile, 'utf8'));
      expect(claims).to.deep.include({ sub: 'order', role: 'service' });
      expect(claims.exp! - claims.iat!).to.be.at.most(3_600);
      const original = readFileSync(system.orderPaymentTokenFile, 'utf8');
      try {
        writeFileSync(system.orderPaymentTokenFile, tokens.storeService!);
        const refused = await eventually('order to send the rotated (wrong) token', async () => {
          const outcome = await call(api.order.placeOrder.bind(api.order), anOrder({ customerId: '' }), {
            metadata: bearer(tokens.alice!),
          }).then(
            () => undefined,
            (error: ServiceError) => error,
          );
          return outcome?.code === status.UNAVAILABLE ? outcome : undefined;
        });
        expect(refused.details, 'the customer is told payment is unavailable').to.include(
          "payment refused the order service's credentials",
        );
        expect(readFileSync(join(system.dir, 'payment.log'), 'utf8'), 'payment says why').to.include(
          'approving a payment is not allowed for the store service',
        );
      } finally {
        writeFileSync(system.orderPaymentTokenFile, original);
      }
      await eventually('order to send the right token again', async () => {
        const placed = await call(api.order.placeOrder.bind(api.order), anOrder({ customerId: '' }), {
          metadata: bearer(tokens.alice!),
        }).catch(() => undefined);
        return placed?.order?.orderId;
      });
    });
  });

  describe('token rules', () => {
    const base = () => ({ sub: 'c-alice', role: 'customer', iss: 'fooddelivery-dev', aud: 'fooddelivery' });
    for (const [name, make] of [
      ['a token without exp', () => tokenWith({ ...base(), iat: now() })],
      ['a token issued a year ahead', () => tokenWith({ ...base(), iat: now() + 365 * 86_400, exp: now() + 366 * 86_400 })],
      ['a token valid for 100 years', () => tokenWith({ ...base(), iat: now(), exp: now() + 100 * 365 * 86_400 })],
      ['a token without iat', () => tokenWith({ ...base(), exp: now() + 600 })],
      ['a token signed with HS256', () => tokenWith({ ...base(), iat: now(), exp: now() + 600 }, 'HS256')],
      [
        'an unsigned token (alg none)',
        async () =>
          `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
            JSON.stringify({ ...base(), iat: now(), exp: now() + 600 }),
          ).toString('base64url')}.`,
      ],
    ] as const) {
      it(`${name} → 401 / UNAUTHENTICATED`, async () => {
        const token = await make();
        expect((await rest('order', 'GET', `/v1/orders/${randomUUID()}`, token)).status).to.equal(401);
        const error = await grpcError(call(api.order.getOrder.bind(api.order), { orderId: randomUUID() }, { metadata: bearer(token) }));
        expect(error.code).to.equal(status.UNAUTHENTICATED);
      });
    }

    it('a token within the rules (exp 24 h after iat, iat 30 s ahead) is accepted', async () => {
      const token = await tokenWith({ ...base(), iat: now() + 30, exp: now() + 86_400 });
      expect((await rest('order', 'GET', `/v1/orders/${randomUUID()}`, token)).status).to.equal(404);
    });
  });

  describe('WatchOrder limits', () => {
    const watch = (token: string, orderId: string, address = system.service('notification').grpc) => {
      const client = new TrackingServiceClient(address, credentials.createInsecure());
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      const stream: ClientReadableStream<WatchOrderResponse> = client.watchOrder({ orderId }, metadata);
      const first = new Promise<{ data?: WatchOrderResponse; error?: ServiceError; ms: number }>((resolve) => {
        const started = Date.now();
        stream.once('data', (data: WatchOrderResponse) => resolve({ data, ms: Date.now() - started }));
        stream.once('error', (error: ServiceError) => resolve({ error, ms: Date.now() - started }));
      });
      const ended = new Promise<ServiceError | undefined>((resolve) => {
        stream.on('error', (error: ServiceError) => resolve(error));
        stream.on('end', () => resolve(undefined));
      });
      stream.on('data', () => undefined);
      return {
        first,
        ended,
        close: () => {
          stream.cancel();
          client.close();
        },
      };
    };

    it('at most 5 open watches per caller: the 6th is RESOURCE_EXHAUSTED, and a closed one makes room', async () => {
      const orderId = await place('alice');
      await eventually('tracking', () =>
        call(api.tracking.getOrderTracking.bind(api.tracking), { orderId }, { metadata: bearer(tokens.alice!) }).catch(() => undefined),
      );
      const open = Array.from({ length: 5 }, () => watch(tokens.alice!, orderId));
      try {
        for (const watching of open) expect((await watching.first).data?.tracking?.orderId).to.equal(orderId);
        const sixth = watch(tokens.alice!, orderId);
        const refused = await sixth.first;
        sixth.close();
        expect(refused.error?.code).to.equal(status.RESOURCE_EXHAUSTED);
        expect(refused.error?.details).to.match(/at most 5/);
        const bobs = watch(tokens.bob!, await place('bob'));
        expect((await bobs.first).data, "another caller's watch is not affected").to.not.equal(undefined);
        bobs.close();
        open.shift()!.close();
        const again = await eventually('room for another watch', async () => {
          const next = watch(tokens.alice!, orderId);
          const answer = await next.first;
          if (answer.data) return next;
          next.close();
          return undefined;
        });
        again.close();
      } finally {
        for (const watching of open) watching.close();
      }
    });

    it("a made-up order and another customer's order are answered alike: NOT_FOUND, at once", async () => {
      const orderId = await place('alice');
      await eventually('tracking', () =>
        call(api.tracking.getOrderTracking.bind(api.tracking), { orderId }, { metadata: bearer(tokens.alice!) }).catch(() => undefined),
      );
      const answers = [];
      for (const id of [orderId, randomUUID()]) {
        const watching = watch(tokens.bob!, id);
        const answer = await watching.first;
        watching.close();
        answers.push({ code: answer.error?.code, details: answer.error?.details.replace(id, '<id>'), ms: answer.ms });
      }
      expect(answers.map(({ code, details }) => ({ code, details }))).to.deep.equal([
        { code: status.NOT_FOUND, details: 'order <id> is not tracked' },
        { code: status.NOT_FOUND, details: 'order <id> is not tracked' },
      ]);
      for (const { ms } of answers) expect(ms).to.be.lessThan(1_000);
    });

    it('200 open watches add no NATS consumer', async () => {
      const jsm = await ops.jetstreamManager();
      const consumerCount = async () => {
        let total = 0;
        for (const stream of await jsm.streams.list().next()) total += stream.state.consumer_count;
        return total;
      };
      const customers = Array.from({ length: 40 }, (_, i) => `c-watcher-${i}`);
      const watched: Array<{ token: string; orderId: string }> = [];
      for (const customer of customers) {
        const token = await devToken('customer', customer);
        const placed = await call(api.order.placeOrder.bind(api.order), anOrder({ customerId: '' }), { metadata: bearer(token) });
        watched.push({ token, orderId: placed.order!.orderId });
      }
      for (const { token, orderId } of watched) {
        await eventually('tracking', () =>
          call(api.tracking.getOrderTracking.bind(api.tracking), { orderId }, { metadata: bearer(token) }).catch(() => undefined),
        );
      }
      const before = await consumerCount();
      const open = watched.flatMap(({ token, orderId }) => Array.from({ length: 5 }, () => watch(token, orderId)));
      try {
        for (const watching of open) expect((await watching.first).data, 'open').to.not.equal(undefined);
        expect(open).to.have.length(200);
        expect(await consumerCount(), 'consumers with 200 watches open').to.equal(before);
      } finally {
        for (const watching of open) watching.close();
      }
    });

    it('a watch ends at its maximum duration with UNAVAILABLE, to be opened again', async () => {
      const replica = await system.startReplica('notification', { AUTH_MODE: 'jwt', WATCH_MAX_DURATION_MS: '1500' });
      try {
        const orderId = await place('alice');
        await eventually('tracking', () =>
          call(api.tracking.getOrderTracking.bind(api.tracking), { orderId }, { metadata: bearer(tokens.alice!) }).catch(() => undefined),
        );
        const started = Date.now();
        const watching = watch(tokens.alice!, orderId, replica.grpc);
        expect((await watching.first).data).to.not.equal(undefined);
        const ended = await watching.ended;
        watching.close();
        expect(ended?.code).to.equal(status.UNAVAILABLE);
        expect(ended?.details).to.match(/at most 1\.5 s/);
        expect(Date.now() - started).to.be.within(1_400, 10_000);
      } finally {
        await replica.process.stop();
      }
    });
  });

  describe('malformed input never yields INTERNAL', () => {
    const registry = descriptorRegistry(descriptorSet);
    const approveInput = registry.getMessage('fooddelivery.payment.v1.ApprovePaymentRequest') as DescMessage;

    it('bytes that are not protobuf → INVALID_ARGUMENT naming the request (and UNAUTHENTICATED without a token)', async () => {
      const Raw = makeGenericClientConstructor(
        { ...OrderServiceService, placeOrder: { ...OrderServiceService.placeOrder, requestSerialize: (bytes: Buffer) => bytes } },
        'OrderService',
      );
      const raw = new Raw(system.service('order').grpc, credentials.createInsecure());
      const send = (metadata: Metadata) =>
        new Promise<ServiceError>((resolve, reject) =>
          (raw as unknown as { placeOrder: UnaryMethod<Buffer, unknown> }).placeOrder(
            Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
            metadata,
            { deadline: Date.now() + 10_000 },
            (error: ServiceError | null) => (error ? resolve(error) : reject(new Error('accepted garbage'))),
          ),
        );
      try {
        const withToken = new Metadata();
        withToken.set('authorization', `Bearer ${tokens.alice}`);
        const malformed = await send(withToken);
        expect(malformed.code).to.equal(status.INVALID_ARGUMENT);
        expect(malformed.metadata.get('error-field')).to.deep.equal(['request']);
        expect((await send(new Metadata())).code).to.equal(status.UNAUTHENTICATED);
      } finally {
        raw.close();
      }
    });

    it('an amount above 2^53 → INVALID_ARGUMENT / 400 naming amount.amount_minor, over gRPC and REST, logged as no failure', async () => {
      const Raw = makeGenericClientConstructor(
        {
          ...PaymentServiceService,
          approvePayment: { ...PaymentServiceService.approvePayment, requestSerialize: (bytes: Buffer) => bytes },
        },
        'PaymentService',
      );
      const raw = new Raw(system.service('payment').grpc, credentials.createInsecure());
      const bytes = Buffer.from(
        toBinary(
          approveInput,
          create(approveInput, {
            orderId: randomUUID(),
            customerId: 'c-alice',
            amount: { currencyCode: 'KRW', amountMinor: 2n ** 53n + 1n },
          }),
        ),
      );
      try {
        const metadata = new Metadata();
        metadata.set('authorization', `Bearer ${tokens.orderService}`);
        const error = await new Promise<ServiceError>((resolve, reject) =>
          (raw as unknown as { approvePayment: UnaryMethod<Buffer, unknown> }).approvePayment(
            bytes,
            metadata,
            { deadline: Date.now() + 10_000 },
            (failure: ServiceError | null) => (failure ? resolve(failure) : reject(new Error('accepted'))),
          ),
        );
        expect(error.code).to.equal(status.INVALID_ARGUMENT);
        expect(error.metadata.get('error-field')).to.deep.equal(['amount.amount_minor']);
      } finally {
        raw.close();
      }
      const body = `{"orderId":"${randomUUID()}","customerId":"c-alice","amount":{"currencyCode":"KRW","amountMinor":"9007199254740993"}}`;
      const viaRest = await rest('payment', 'POST', '/v1/payments', tokens.orderService, body);
      expect(viaRest.status).to.equal(400);
      expect(viaRest.body.message).to.include('amount.amount_minor');
      expect((await rest('payment', 'POST', '/v1/payments', undefined, body)).status, 'no token').to.equal(401);
      expect(serviceLogs()).to.not.include('unexpected failure');
    });
  });

  describe('mutual TLS between services (GRPC_TLS_*)', () => {
    it('order calls payment over mutual TLS; a client without a certificate, or one from another CA, is refused', async () => {
      const dir = temporaryDirectory('grpc-tls-');
      const trusted = makeCertificates(join(dir, 'trusted'));
      const stranger = makeCertificates(join(dir, 'stranger'));
      const tls = { GRPC_TLS_CA_FILE: trusted.ca, GRPC_TLS_CERT_FILE: trusted.cert, GRPC_TLS_KEY_FILE: trusted.key, AUTH_MODE: 'jwt' };
      const payment = await system.startReplica('payment', tls);
      const order = await system.startReplica('order', { ...tls, PAYMENT_GRPC_ADDRESS: payment.grpc });
      const withCertificate = (files: { ca: string; cert?: string; key?: string }) =>
        credentials.createSsl(
          readFileSync(files.ca),
          files.key ? readFileSync(files.key) : null,
          files.cert ? readFileSync(files.cert) : null,
        );
      try {
        // The certificates name localhost: TLS has no server name for an IP address.
        const byName = { 'grpc.ssl_target_name_override': 'localhost' };
        const client = new OrderServiceClient(order.grpc, withCertificate(trusted), byName);
        const placed = await call(client.placeOrder.bind(client), anOrder({ customerId: '' }), { metadata: bearer(tokens.alice!) });
        client.close();
        expect(placed.order?.status, 'paid through payment over mutual TLS').to.equal(OrderStatus.ORDER_STATUS_PAID);

        for (const [label, channel] of [
          ['plaintext', credentials.createInsecure()],
          ['TLS without a client certificate', withCertificate({ ca: trusted.ca })],
          ['a certificate from another CA', withCertificate({ ca: trusted.ca, cert: stranger.cert, key: stranger.key })],
        ] as const) {
          const other = new OrderServiceClient(payment.grpc, channel, byName);
          const error = await grpcError(
            call(other.getOrder.bind(other), { orderId: randomUUID() }, { metadata: bearer(tokens.alice!), timeoutMs: 3_000 }),
          );
          other.close();
          expect(error.code, label).to.be.oneOf([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);
        }
      } finally {
        await order.process.stop();
        await payment.process.stop();
      }
    });
  });
});
