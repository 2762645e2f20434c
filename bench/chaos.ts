/**
 * `npm run chaos [-- --rounds N --customers N --races N --down-ms N --between-ms N]`: the long
 * chaos run. It starts its own system on free loopback ports (NATS, FerretDB, the four services),
 * keeps customers ordering while each process is SIGKILLed and restarted in turn, `rounds` times
 * over, runs cancel-vs-delivery races, and reconciles the four services. Prints the figures; exits
 * 1 when anything is missing, duplicated, orphaned or an invariant is violated.
 */
import { stopAll } from '@fooddelivery/stack/processes';
import { startSystem } from '@fooddelivery/stack/system';
import { parseArgs } from 'node:util';
import { chaosEnvironment, runChaos, type ChaosTarget } from '../test/support/chaos.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    customers: { type: 'string', default: '8' },
    races: { type: 'string', default: '50' },
    'down-ms': { type: 'string', default: '3000' },
    'between-ms': { type: 'string', default: '8000' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: npm run chaos [-- --rounds 3 --customers 8 --races 50 --down-ms 3000 --between-ms 8000]');
  process.exit(0);
}
const each: ChaosTarget[] = ['store', 'notification', 'nats', 'ferretdb', 'payment', 'order'];
const started = Date.now();
const system = await startSystem(['payment', 'order', 'store', 'notification'], chaosEnvironment());
try {
  const result = await runChaos({
    system,
    targets: Array.from({ length: Number(values.rounds) }, () => each).flat(),
    downMs: Number(values['down-ms']),
    betweenMs: Number(values['between-ms']),
    customers: Number(values.customers),
    races: Number(values.races),
    settleMs: 180_000,
    log: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`),
  });
  console.log(`\n${result.line}`);
  console.log(`calls retried by the customers: ${result.stats.retries}; orders refused: ${JSON.stringify(result.stats.refused)}`);
  console.log(`faults: ${result.stats.faults.join(', ')}`);
  if (!result.clean) {
    console.log(JSON.stringify(result.reconciliation, null, 1).slice(0, 5_000));
    process.exitCode = 1;
  }
} finally {
  await stopAll();
}
