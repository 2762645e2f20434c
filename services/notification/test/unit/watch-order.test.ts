import { expect } from 'chai';
import { WatchOrder } from '../../src/application/watch-order.js';
import { OrderTracking, type TrackingStatus } from '../../src/domain/tracking.js';
import { InMemoryTrackingBacklog, InMemoryTrackingRepository, roomyWatchLimits } from '../support/in-memory.js';
import { aChange } from '../support/mother.js';

const admin = { subject: 'ops', role: 'admin' as const };

/** Lets the watch run until `condition` holds; fails after a second. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 1_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not met within 1 s: ${condition.toString()}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('WatchOrder (use case)', () => {
  let trackings: InMemoryTrackingRepository;
  let backlog: InMemoryTrackingBacklog;
  let watch: WatchOrder;
  let tracking: OrderTracking;
  const advance = (status: TrackingStatus) => {
    tracking.apply(aChange(status));
    trackings.put(tracking);
  };

  beforeEach(() => {
    trackings = new InMemoryTrackingRepository();
    backlog = new InMemoryTrackingBacklog();
    watch = new WatchOrder(trackings, backlog, roomyWatchLimits);
    tracking = OrderTracking.start(aChange('paid'));
  });

  it('sends the current tracking, then every change, and ends once delivered', async () => {
    trackings.put(tracking);
    const seen: string[] = [];
    const done = watch.execute(admin, 'o-1', new AbortController().signal, async (sent) => void seen.push(sent.status));
    await until(() => seen.length === 1);
    for (const status of ['accepted', 'cooking', 'delivering', 'delivered'] as const) {
      advance(status);
      await until(() => seen.at(-1) === status);
    }
    expect(await done).to.equal('finished');
    expect(seen).to.deep.equal(['paid', 'accepted', 'cooking', 'delivering', 'delivered']);
  });

  it('waits for an order not in the view while the view is behind the published events', async () => {
    backlog.fallBehind();
    const seen: string[] = [];
    const done = watch.execute(admin, 'o-1', new AbortController().signal, async (sent) => void seen.push(sent.status));
    await until(() => backlog.waits === 1);
    expect(seen).to.deep.equal([]);
    trackings.put(tracking);
    backlog.catchUp();
    await until(() => seen.length === 1);
    advance('delivered');
    expect(await done).to.equal('finished');
    expect(seen).to.deep.equal(['paid', 'delivered']);
  });

  it('ends as aborted, not NOT_FOUND, when the caller leaves (or the service stops) while the view catches up', async () => {
    backlog.fallBehind();
    const leaving = new AbortController();
    const done = watch.execute(admin, 'o-1', leaving.signal, async () => {});
    await until(() => backlog.waits === 1);
    leaving.abort();
    expect(await done).to.equal('aborted');
    expect(watch.watching).to.equal(0);
  });

  it("answers an unknown order and another customer's order alike: NOT_FOUND, at once when the view is not behind", async () => {
    trackings.put(tracking);
    const stranger = { subject: 'someone-else', role: 'customer' as const };
    const answers = [];
    for (const [who, id] of [
      [stranger, 'o-1'],
      [stranger, 'o-404'],
    ] as const) {
      const started = Date.now();
      const error = (await watch
        .execute(who, id, new AbortController().signal, async () => {})
        .catch((failure: unknown) => failure)) as Error;
      answers.push({ kind: (error as { kind?: string }).kind, message: error.message.replace(id, '<id>'), ms: Date.now() - started });
    }
    expect(answers.map(({ kind, message }) => ({ kind, message }))).to.deep.equal([
      { kind: 'not_found', message: 'order <id> is not tracked' },
      { kind: 'not_found', message: 'order <id> is not tracked' },
    ]);
    for (const { ms } of answers) expect(ms).to.be.lessThan(100);
    expect(backlog.waits, 'both asked whether the view was behind').to.equal(2);
  });

  it('holds at most `perCaller` watches open per caller, and `total` in all', async () => {
    watch = new WatchOrder(trackings, backlog, { ...roomyWatchLimits, perCaller: 2, total: 3 });
    trackings.put(tracking);
    trackings.put(OrderTracking.start(aChange('paid', { orderId: 'o-2', customerId: 'c-2' })));
    const leave = new AbortController();
    const open = (subject: string, orderId: string) =>
      watch.execute({ subject, role: 'customer' }, orderId, leave.signal, async () => {}).catch((failure: unknown) => failure);
    const first = [open('c-1', 'o-1'), open('c-1', 'o-1')];
    await until(() => watch.watching === 2);
    expect(await open('c-1', 'o-1')).to.deep.include({ kind: 'resource_exhausted', code: 'TRACKING.TOO_MANY_WATCHES' });
    const third = open('c-2', 'o-2');
    await until(() => watch.watching === 3);
    expect(await open('c-3', 'o-404')).to.deep.include({ kind: 'resource_exhausted', code: 'TRACKING.TOO_MANY_WATCHES' });
    leave.abort();
    await Promise.all([...first, third]);
    expect(watch.watching).to.equal(0);
  });

  it('ends a watch that reaches its maximum duration with "expired"', async () => {
    watch = new WatchOrder(trackings, backlog, { ...roomyWatchLimits, maxDurationMs: 30 });
    trackings.put(tracking);
    expect(await watch.execute(admin, 'o-1', new AbortController().signal, async () => {})).to.equal('expired');
    expect(watch.watching).to.equal(0);
  });

  it('keeps watching a cancelled order until its refund, then ends', async () => {
    trackings.put(tracking);
    const seen: string[] = [];
    const done = watch.execute(admin, 'o-1', new AbortController().signal, async (sent) => void seen.push(sent.status));
    await until(() => seen.length === 1);
    advance('cancelled');
    await until(() => seen.at(-1) === 'cancelled');
    advance('refunded');
    await done;
    expect(seen).to.deep.equal(['paid', 'cancelled', 'refunded']);
  });

  it('ends quietly when the caller leaves', async () => {
    trackings.put(tracking);
    const leave = new AbortController();
    const seen: string[] = [];
    const done = watch.execute(admin, 'o-1', leave.signal, async (sent) => void seen.push(sent.status));
    await until(() => seen.length === 1);
    leave.abort();
    expect(await done).to.equal('aborted');
    advance('accepted');
    expect(seen).to.deep.equal(['paid']);
  });

  it('refuses a malformed order id naming the field', async () => {
    const error = await watch.execute(admin, 'bad id!', new AbortController().signal, async () => {}).catch((failure: unknown) => failure);
    expect(error).to.deep.include({ kind: 'invalid_argument', field: 'order_id' });
  });
});
