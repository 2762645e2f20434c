import { expect } from 'chai';
import { WatchOrder } from '../../src/application/watch-order.js';
import { OrderTracking, type TrackingStatus } from '../../src/domain/tracking.js';
import { InMemoryTrackingRepository } from '../support/in-memory.js';
import { aChange } from '../support/mother.js';

const admin = { subject: 'ops', role: 'admin' as const };

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('WatchOrder (use case)', () => {
  let trackings: InMemoryTrackingRepository;
  let watch: WatchOrder;
  let tracking: OrderTracking;
  const advance = async (status: TrackingStatus) => {
    tracking.apply(aChange(status));
    trackings.put(tracking);
    await tick();
  };

  beforeEach(() => {
    trackings = new InMemoryTrackingRepository();
    watch = new WatchOrder(trackings);
    tracking = OrderTracking.start(aChange('paid'));
  });

  it('sends the current tracking, then every change, and ends once delivered', async () => {
    trackings.put(tracking);
    const seen: string[] = [];
    const done = watch.execute(admin, 'o-1', new AbortController().signal, async (sent) => void seen.push(sent.status));
    await tick();
    for (const status of ['accepted', 'cooking', 'delivering', 'delivered'] as const) await advance(status);
    expect(await done).to.equal('finished');
    expect(seen).to.deep.equal(['paid', 'accepted', 'cooking', 'delivering', 'delivered']);
  });

  it('waits for an order that is not tracked yet', async () => {
    const seen: string[] = [];
    const done = watch.execute(admin, 'o-1', new AbortController().signal, async (sent) => void seen.push(sent.status));
    await tick();
    expect(seen).to.deep.equal([]);
    trackings.put(tracking);
    await tick();
    await advance('delivered');
    await done;
    expect(seen).to.deep.equal(['paid', 'delivered']);
  });

  it('keeps watching a cancelled order until its refund, then ends', async () => {
    trackings.put(tracking);
    const seen: string[] = [];
    const done = watch.execute(admin, 'o-1', new AbortController().signal, async (sent) => void seen.push(sent.status));
    await tick();
    await advance('cancelled');
    await advance('refunded');
    await done;
    expect(seen).to.deep.equal(['paid', 'cancelled', 'refunded']);
  });

  it('ends quietly when the caller leaves', async () => {
    trackings.put(tracking);
    const leave = new AbortController();
    const seen: string[] = [];
    const done = watch.execute(admin, 'o-1', leave.signal, async (sent) => void seen.push(sent.status));
    await tick();
    leave.abort();
    expect(await done).to.equal('aborted');
    await advance('accepted');
    expect(seen).to.deep.equal(['paid']);
  });

  it('refuses a malformed order id naming the field', async () => {
    const error = await watch.execute(admin, 'bad id!', new AbortController().signal, async () => {}).catch((failure: unknown) => failure);
    expect(error).to.deep.include({ kind: 'invalid_argument', field: 'order_id' });
  });
});
