import { OrderStatus } from '@fooddelivery/gen/fooddelivery/order/v1/order';
import type { ServiceName } from '@fooddelivery/stack/service';
import type { TestSystem } from '@fooddelivery/stack/system';
import { status, type ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, clients } from './grpc-clients.js';
import { anOrder } from './orders.js';
import { reconcile, summary, type CancelAnswer, type Reconciliation } from './reconcile.js';

export type ChaosTarget = ServiceName | 'nats' | 'ferretdb';

export interface ChaosOptions {
  system: TestSystem;
  /** Processes SIGKILLed and restarted, one after the other. */
  targets: ChaosTarget[];
  /** How long a killed process stays down. */
  downMs: number;
  /** Steady load between two kills. */
  betweenMs: number;
  /** Concurrent customers placing orders all along. */
  customers: number;
  /** Cancellations sent at the same instant as the store owner starts delivery. */
  races: number;
  /** How long the system may take to become consistent once the faults stop. */
  settleMs: number;
  log: (line: string) => void;
}

export interface ChaosResult {
  reconciliation: Reconciliation;
  clean: boolean;
  line: string;
  stats: { attempts: number; accepted: number; retries: number; refused: Record<string, number>; faults: string[] };
}

const STORE = 'store-seoul-chicken';
/** Answers that say "not now": a client sends the same request (same idempotency key) again. */
const retryable = new Set([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.CANCELLED, status.UNKNOWN, status.INTERNAL]);

/**
 * A black-box chaos run: steady PlaceOrder load (unique idempotency keys, failures retried with
 * the same key, as a careful client does) while each process is SIGKILLed and restarted in turn,
 * a store owner moving orders along, then cancel-vs-delivery races; then all four services are
 * reconciled through their public APIs.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const { system, log } = options;
  const api = () =>
    clients({
      order: system.service('order').grpc,
      payment: system.service('payment').grpc,
      store: system.service('store').grpc,
      notification: system.service('notification').grpc,
    });
  const stable = api();
  const accepted: string[] = [];
  const cancels = new Map<string, CancelAnswer>();
  const stats: ChaosResult['stats'] = { attempts: 0, accepted: 0, retries: 0, refused: {}, faults: [] };
  let loading = true;

  async function persist<T>(send: () => Promise<T>, until = () => false): Promise<T | ServiceError> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        const failure = error as ServiceError;
        if (!retryable.has(failure.code) || attempt >= 120 || until()) return failure;
        stats.retries++;
        await sleep(Math.min(2_000, 100 * attempt));
      }
    }
  }

  const customer = async (index: number) => {
    while (loading) {
      const request = anOrder({ customerId: `c-chaos-${index}`, storeId: STORE, idempotencyKey: `chaos-${randomUUID()}` });
      stats.attempts++;
      const answer = await persist(() => call(stable.order.placeOrder.bind(stable.order), request, { timeoutMs: 10_000 }));
      if ('order' in answer && answer.order) accepted.push(answer.order.orderId);
      else {
        const reason = (answer as ServiceError).details?.slice(0, 60) ?? 'unknown';
        stats.refused[reason] = (stats.refused[reason] ?? 0) + 1;
      }
    }
  };

  /** The store owner takes every order it has through to delivery, one step at a time. */
  const owner = async () => {
    const moved = new Set<string>();
    while (loading) {
      const candidates = accepted.filter((orderId) => !moved.has(orderId)).slice(0, 20);
      for (const orderId of candidates) {
        const steps = ['acceptOrder', 'startCooking', 'startDelivery', 'completeDelivery'] as const;
        let received = true;
        // Some orders stay in the kitchen (for the cancellations), the others are delivered.
        for (const rpc of steps.slice(0, moved.size % 3 === 0 ? 2 : 4)) {
          const done = await persist(
            () => call(stable.store[rpc].bind(stable.store), { storeId: STORE, orderId }, { timeoutMs: 5_000 }),
            () => !loading,
          );
          if ('code' in done) {
            received = done.code !== status.NOT_FOUND;
            break;
          }
        }
        if (received) moved.add(orderId);
      }
      await sleep(200);
    }
  };

  const load = [...Array.from({ length: options.customers }, (_, index) => customer(index)), owner()];
  for (const target of options.targets) {
    await sleep(options.betweenMs);
    const started = Date.now();
    await kill(system, target);
    await sleep(options.downMs);
    await restart(system, target);
    stats.faults.push(`${target} down ${((Date.now() - started) / 1000).toFixed(1)} s`);
    log(`${target} killed and restarted (${((Date.now() - started) / 1000).toFixed(1)} s); ${accepted.length} orders accepted so far`);
  }
  await sleep(options.betweenMs);
  loading = false;
  await Promise.all(load);
  log(`load stopped: ${stats.attempts} orders attempted, ${accepted.length} accepted, ${stats.retries} retried calls`);

  // Cancellations racing delivery: fresh orders, cooking, then the cancel and StartDelivery sent at the same instant.
  let raced = 0;
  for (let race = 0; race < options.races; race++) {
    const request = anOrder({ customerId: 'c-chaos-racer', storeId: STORE, idempotencyKey: `race-${randomUUID()}` });
    const placed = await persist(() => call(stable.order.placeOrder.bind(stable.order), request));
    if (!('order' in placed) || !placed.order) continue;
    const orderId = placed.order.orderId;
    accepted.push(orderId);
    const received = await persist(async () => {
      try {
        return await call(stable.store.acceptOrder.bind(stable.store), { storeId: STORE, orderId });
      } catch (error) {
        // Not received by the store yet: asked again like an outage.
        if ((error as ServiceError).code === status.NOT_FOUND)
          throw Object.assign(new Error('not received yet'), { code: status.UNAVAILABLE });
        throw error;
      }
    });
    const cook = await persist(() => call(stable.store.startCooking.bind(stable.store), { storeId: STORE, orderId }));
    if ('code' in received || 'code' in cook) continue;
    raced++;
    const [, cancel] = await Promise.all([
      persist(() => call(stable.store.startDelivery.bind(stable.store), { storeId: STORE, orderId })),
      persist(() => call(stable.order.cancelOrder.bind(stable.order), { orderId, reason: 'racing the courier' }, { timeoutMs: 10_000 })),
    ]);
    if ('order' in cancel) cancels.set(orderId, cancel.order?.status === OrderStatus.ORDER_STATUS_CANCELLED ? 'cancelled' : 'requested');
    else if (cancel.code === status.FAILED_PRECONDITION) cancels.set(orderId, 'refused');
  }
  const answered = (answer: CancelAnswer) => [...cancels.values()].filter((value) => value === answer).length;
  log(
    `${raced} cancel-vs-delivery races: ${answered('cancelled')} cancelled, ${answered('refused')} refused, ${answered('requested')} answered pending`,
  );

  stats.accepted = accepted.length;
  const input = { clients: stable, natsUrl: system.nats.url, accepted, cancels, storeIds: [STORE] };
  const deadline = Date.now() + options.settleMs;
  let reconciliation: Reconciliation | undefined;
  for (;;) {
    // A read may still fail while the services catch up: the next round reads again.
    reconciliation = await reconcile(input).catch((error: unknown) => {
      log(`reconciliation not possible yet: ${(error as Error).message.slice(0, 120)}`);
      return reconciliation;
    });
    if ((reconciliation && summary(reconciliation).clean) || Date.now() > deadline) break;
    await sleep(2_000);
  }
  if (!reconciliation) throw new Error('the services could not be read after the chaos run');
  stable.close();
  const { line, clean } = summary(reconciliation);
  return { reconciliation, clean, line, stats };
}

async function kill(system: TestSystem, target: ChaosTarget): Promise<void> {
  if (target === 'nats') return system.nats.kill();
  if (target === 'ferretdb') return system.ferretDb.kill();
  await system.service(target).process.kill();
  delete system.services[target];
}

async function restart(system: TestSystem, target: ChaosTarget): Promise<void> {
  if (target === 'nats') return system.nats.restart();
  if (target === 'ferretdb') return system.ferretDb.restart();
  await system.start(target);
}

/** Short timers so the run settles within the test: quick redeliveries, settlement and takeover of the sweeps. */
export function chaosEnvironment() {
  const quiet = { LOG_LEVEL: 'warn', CONSUMER_BACKOFF_MS: '200,1000,2000,5000' };
  return {
    payment: { ...quiet, PAYMENT_LATENCY_MIN_MS: '5', PAYMENT_LATENCY_MAX_MS: '20' },
    order: { ...quiet, PAYMENT_SETTLE_AFTER_MS: '5000', OUTBOX_SWEEP_AFTER_MS: '2000', SWEEPER_LEASE_TTL_MS: '3000' },
    store: quiet,
    notification: quiet,
  };
}
