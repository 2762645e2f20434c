import { stopAll } from '@fooddelivery/stack/processes';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import { expect } from 'chai';
import { chaosEnvironment, runChaos } from '../support/chaos.js';

/**
 * The short chaos run of `npm test` (`npm run chaos` is the long one): steady ordering while
 * store, notification, NATS, FerretDB, payment and order are each SIGKILLed and restarted, then
 * cancel-vs-delivery races; afterwards the four services agree and no invariant is violated.
 */
describe('chaos: every process killed in turn under load, then cancellations racing deliveries', function () {
  this.timeout(600_000);
  let system: TestSystem;

  before(async () => {
    system = await startSystem(['payment', 'order', 'store', 'notification'], chaosEnvironment());
  });
  after(() => stopAll());

  it('accepts orders throughout, and afterwards nothing is missing, duplicated, orphaned or violated', async () => {
    const result = await runChaos({
      system,
      targets: ['store', 'notification', 'nats', 'ferretdb', 'payment', 'order'],
      downMs: 1_500,
      betweenMs: 2_500,
      customers: 4,
      races: 30,
      settleMs: 90_000,
      log: (line) => console.log(`      ${line}`),
    });
    console.log(`      ${result.line}`);
    expect(result.stats.accepted).to.be.greaterThan(50);
    expect(result.clean, JSON.stringify(result.reconciliation, null, 1).slice(0, 3_000)).to.equal(true);
  });
});
