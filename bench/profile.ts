/**
 * Where PlaceOrder's time goes: the order and payment services run with V8's CPU profiler and
 * FerretDB with Go's, while PlaceOrder is driven at a fixed concurrency. Prints, per process, the
 * share of CPU by package or source directory and the functions with the most self time, and
 * keeps the profiles (open a .cpuprofile in Chrome DevTools or speedscope for the flame graph,
 * and ferretdb.pprof with `go tool pprof -http=: ferretdb.pprof`).
 *
 *   node --import tsx bench/profile.ts [--seconds 20] [--concurrency 32] [--ferretdb sqlite|postgresql]
 */
import { OrderServiceClient } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { freePort } from '@fooddelivery/stack/ports';
import { stopAll, stopAllOnSignals } from '@fooddelivery/stack/processes';
import { startSystem } from '@fooddelivery/stack/system';
import { credentials, Metadata } from '@grpc/grpc-js';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ferretDbOn, parseBackend } from './ferretdb-backend.js';
import { closedLoop, describeResult } from './load.js';
import { table } from './support.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '32' },
    ferretdb: { type: 'string', default: 'sqlite' },
    out: { type: 'string', default: 'bench/profiles' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('usage: npm run bench:profile [-- --seconds 20 --concurrency 32 --ferretdb sqlite|postgresql --out bench/profiles]');
  console.log('CPU profiles of order, payment and FerretDB under PlaceOrder load, summarised; the profiles are kept in --out.');
  process.exit(0);
}
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const backend = parseBackend(values.ferretdb);
const out = resolve(values.out, new Date().toISOString().replace(/[:.]/g, '-'));
mkdirSync(out, { recursive: true });

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A V8 CPU profile's self time by package (node_modules), source directory or V8 category, and by function. */
function summarize(
  file: string,
  skipMs: number,
  windowMs: number,
): { byPlace: Map<string, number>; byFunction: Map<string, number>; busyMs: number } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busyMs = 0;
  let at = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    at += ms;
    // Only the profiled window: not the start (loading and compiling modules) nor the warm-up.
    if (at < skipMs || at > skipMs + windowMs) return;
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    if (functionName === '(idle)') return;
    busyMs += ms;
    const place = placeOf(url, functionName);
    byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
    const name = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  });
  return { byPlace, byFunction, busyMs };
}

function placeOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1]!;
  if (url.startsWith('node:')) return 'node: built-ins';
  const source = /\/(services\/[^/]+\/src\/[^/]+|adapters\/src|kernel\/src|gen)\//.exec(url);
  return source ? source[1]! : shortUrl(url);
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(`${process.cwd()}/`, '');
}

function top(map: Map<string, number>, busyMs: number, count: number, label: string) {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ [label]: name, 'self ms': Math.round(ms), '% of busy': (ms / busyMs) * 100 }));
}

/** How long ago the process started, from /proc (its start time in clock ticks since boot). */
function processAgeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  const uptimeSeconds = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return (uptimeSeconds - startTicks / 100) * 1000;
}

stopAllOnSignals();
try {
  const pprofPort = await freePort();
  const profiles = { order: join(out, 'order'), payment: join(out, 'payment') };
  const system = await startSystem(
    ['payment', 'order'],
    {
      payment: { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '0', LOG_LEVEL: 'warn', CPU_PROFILE_DIR: profiles.payment },
      order: { LOG_LEVEL: 'warn', CPU_PROFILE_DIR: profiles.order },
    },
    { ferretDb: { ...(await ferretDbOn(backend)), pprofPort } },
  );
  const client = new OrderServiceClient(system.service('order').grpc, credentials.createInsecure());
  let n = 0;
  const placeOrder = () =>
    new Promise<void>((resolve, reject) =>
      client.placeOrder(
        {
          customerId: `c-profile-${n % 100}`,
          storeId: 'store-seoul-chicken',
          lines: [{ menuItemId: 'fried-chicken', quantity: 1 }],
          deliveryAddress: '152 Teheran-ro, Seoul',
          cardToken: 'tok_visa',
          idempotencyKey: `profile-${process.pid}-${n++}`,
        },
        new Metadata(),
        { deadline: Date.now() + 10_000 },
        (error) => (error ? reject(error) : resolve()),
      ),
    );

  console.log(`FerretDB on ${backend}; warming up 5s, then ${seconds}s of PlaceOrder with ${concurrency} in flight, profiled`);
  await closedLoop(placeOrder, { concurrency, durationMs: 5_000 });
  const ferretProfile = fetch(`http://127.0.0.1:${pprofPort}/debug/pprof/profile?seconds=${seconds}`).then((response) =>
    response.arrayBuffer(),
  );
  const age = (pid: number) => processAgeMs(pid);
  const windowStartsAt = { order: age(system.service('order').process.pid), payment: age(system.service('payment').process.pid) };
  const result = await closedLoop(placeOrder, { concurrency, durationMs: seconds * 1000 });
  console.log(`profiled window: ${describeResult(result)} (the profilers slow everything down a little)`);
  writeFileSync(join(out, 'ferretdb.pprof'), Buffer.from(await ferretProfile));
  client.close();
  // The V8 profiles are written when the processes exit (they include the warm-up).
  await system.stop('order');
  await system.stop('payment');

  for (const [name, dir] of Object.entries(profiles)) {
    const file = readdirSync(dir).find((entry) => entry.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no CPU profile written by ${name} in ${dir}`);
    const { byPlace, byFunction, busyMs } = summarize(join(dir, file), windowStartsAt[name as keyof typeof windowStartsAt], seconds * 1000);
    console.log(
      `\n${name}: ${Math.round(busyMs)} ms busy in the ${seconds}s window, ${(busyMs / result.callsPerSecond / seconds).toFixed(2)} ms per order (${join(dir, file)})`,
    );
    console.log(table(top(byPlace, busyMs, 12, 'package or source')));
    console.log(table(top(byFunction, busyMs, 12, 'function (self time)')));
  }
  console.log(`\nFerretDB (${join(out, 'ferretdb.pprof')}):`);
  const pprof = spawnSync('go', ['tool', 'pprof', '-top', '-nodecount=20', join(out, 'ferretdb.pprof')], { encoding: 'utf8' });
  console.log(pprof.status === 0 ? pprof.stdout : `go tool pprof is not available: ${pprof.error?.message ?? pprof.stderr}`);
  const cumulative = spawnSync('go', ['tool', 'pprof', '-top', '-cum', '-nodecount=25', join(out, 'ferretdb.pprof')], { encoding: 'utf8' });
  if (cumulative.status === 0) console.log(cumulative.stdout);
} finally {
  await stopAll();
}
