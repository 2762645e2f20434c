import { expect } from 'chai';
import fc from 'fast-check';
import { violations } from './invariants.js';
import { World, type Delivery, type PaymentFault } from './world.js';

/**
 * A deterministic simulation of the whole saga: generated scenarios of customers placing
 * (declined cards, payment timeouts before and after the charge, an unreachable payment, a
 * failed order write, retries under the same idempotency key), cancelling, store owners
 * accepting, cooking, delivering or rejecting, the settlement running, and a broker that
 * delivers at least once: duplicates, a consumer crashing between its effect and its ack, and
 * every consumer at its own pace (events of different streams reordered). After quiescence the
 * invariants I1–I4 of docs/saga.md must hold.
 *
 * A failure prints its seed and path; replay exactly that scenario with
 *   SIMULATION_SEED=<seed> SIMULATION_PATH=<path> npm run -s test:simulation
 */

type Step =
  | { kind: 'place'; customer: number; key: string | undefined; card: string; fault: PaymentFault; storeWriteFails: boolean }
  | { kind: 'retry'; index: number }
  | { kind: 'cancel'; order: number; stepsWhileWaiting: number }
  | { kind: 'owner'; order: number; reject: boolean }
  | { kind: 'publish' }
  | { kind: 'deliver'; consumer: number; how: Delivery }
  | { kind: 'late-approval'; index: number }
  | { kind: 'time'; ms: number }
  | { kind: 'together'; first: Step; second: Step };

const place = fc.record({
  kind: fc.constant('place' as const),
  customer: fc.integer({ min: 0, max: 3 }),
  key: fc.option(fc.constantFrom('k1', 'k2', 'k3', 'k4'), { nil: undefined }),
  card: fc.constantFrom('tok_visa', 'tok_visa', 'tok_visa', 'tok_decline'),
  fault: fc.constantFrom<PaymentFault>('none', 'none', 'none', 'timeout-after-charge', 'timeout-before-charge', 'unreachable'),
  storeWriteFails: fc.integer({ min: 0, max: 6 }).map((draw) => draw === 0),
});

const single: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: place },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retry' as const), index: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('cancel' as const), order: fc.nat(), stepsWhileWaiting: fc.integer({ min: 0, max: 8 }) }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('owner' as const),
      order: fc.nat(),
      reject: fc.integer({ min: 0, max: 9 }).map((draw) => draw === 0),
    }),
  },
  { weight: 4, arbitrary: fc.constant({ kind: 'publish' as const }) },
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('deliver' as const),
      consumer: fc.nat(),
      how: fc.constantFrom<Delivery>('ack', 'ack', 'ack', 'duplicate', 'crash-before-ack'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('late-approval' as const), index: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.constantFrom(1_000, 30_000, 61_000) }) },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 9, arbitrary: single },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('together' as const), first: single, second: single }) },
);

async function run(world: World, step: Step, history: Step[]): Promise<void> {
  switch (step.kind) {
    case 'place':
      return world.place(step.customer, step);
    case 'retry': {
      const earlier = history.filter(
        (candidate): candidate is Extract<Step, { kind: 'place' }> => candidate.kind === 'place' && candidate.key !== undefined,
      );
      const again = earlier[step.index % Math.max(1, earlier.length)];
      return again ? world.place(again.customer, { ...again, fault: 'none', storeWriteFails: false }) : undefined;
    }
    case 'cancel':
      return world.cancel(step.order, step.stepsWhileWaiting);
    case 'owner':
      return world.ownerAdvances(step.order, step.reject);
    case 'publish':
      return world.publish();
    case 'deliver':
      return world.deliver(step.consumer, step.how);
    case 'late-approval':
      return world.lateApprovalArrives(step.index);
    case 'time':
      return world.advanceAndSettle(step.ms);
    case 'together':
      await Promise.all([run(world, step.first, history), run(world, step.second, history)]);
  }
}

describe('the saga, simulated: invariants I1–I4 hold after any generated scenario', function () {
  this.timeout(600_000);
  const runs = Number(process.env.SIMULATION_RUNS ?? 1_000);

  it(`holds in ${runs} generated scenarios (places, cancels, store actions, payment faults, storage failures, at-least-once delivery)`, async () => {
    const outcomes = { scenarios: 0, steps: 0, placed: 0, cancelled: 0, refused: 0, pending: 0, deliveries: 0 };
    const property = fc.asyncProperty(fc.array(step, { minLength: 20, maxLength: 80 }), async (steps) => {
      const world = new World();
      for (const [index, current] of steps.entries()) await run(world, current, steps.slice(0, index));
      await world.quiesce();
      const found = await violations(world);
      outcomes.scenarios++;
      outcomes.steps += steps.length;
      outcomes.placed += world.told.placed.size;
      for (const answer of world.told.cancels.values()) outcomes[answer === 'requested' ? 'pending' : answer]++;
      expect(found, found.join('\n')).to.deep.equal([]);
    });
    const seed = process.env.SIMULATION_SEED === undefined ? undefined : Number(process.env.SIMULATION_SEED);
    const path = process.env.SIMULATION_PATH;
    try {
      await fc.assert(property, {
        numRuns: runs,
        ...(seed !== undefined && { seed }),
        ...(path !== undefined && { path, endOnFailure: true }),
      });
    } catch (error) {
      const text = String((error as Error).message);
      const replay = /seed: (-?\d+), path: "([^"]+)"/.exec(text);
      if (replay) console.log(`      replay with: SIMULATION_SEED=${replay[1]} SIMULATION_PATH=${replay[2]} npm run -s test:simulation`);
      throw error;
    }
    console.log(
      `      ${outcomes.scenarios} scenarios, ${outcomes.steps} steps; orders placed ${outcomes.placed}; cancellations: ` +
        `cancelled ${outcomes.cancelled}, refused ${outcomes.refused}, answered pending ${outcomes.pending}`,
    );
  });
});
