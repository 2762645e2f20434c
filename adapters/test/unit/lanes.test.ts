import { expect } from 'chai';
import { Lanes } from '../../src/jetstream.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Lanes (how a consumer runs its handlers)', () => {
  it('runs the events of different orders at the same time, up to its limit', async () => {
    const lanes = new Lanes(3);
    let running = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const task = () =>
      new Promise<void>((resolve) => {
        running++;
        most = Math.max(most, running);
        releases.push(() => {
          running--;
          resolve();
        });
      });
    const started = Array.from({ length: 5 }, (_, i) => lanes.run(`order-${i}`, task));
    await tick();
    expect(running, 'three orders at once').to.equal(3);
    while (releases.length > 0) {
      releases.shift()!();
      await tick();
      await tick();
    }
    await Promise.all(started);
    await lanes.idle();
    expect(most).to.equal(3);
    expect(running).to.equal(0);
  });

  it('runs the events of one order one after another, in the order they came', async () => {
    const lanes = new Lanes(8);
    const seen: string[] = [];
    let releaseFirst: () => void = () => {};
    const first = new Promise<void>((resolve) => (releaseFirst = resolve));
    await lanes.run('order-a', async () => {
      await first;
      seen.push('a1');
    });
    await lanes.run('order-a', async () => void seen.push('a2'));
    await lanes.run('order-b', async () => void seen.push('b1'));
    await lanes.run('order-a', async () => void seen.push('a3'));
    await tick();
    expect(seen, 'another order does not wait for order-a; order-a waits for its first event').to.deep.equal(['b1']);
    releaseFirst();
    await lanes.idle();
    expect(seen).to.deep.equal(['b1', 'a1', 'a2', 'a3']);
  });

  it('a failing event does not stop the next one of the same order', async () => {
    const lanes = new Lanes(2);
    const seen: string[] = [];
    await lanes.run('order-a', () => Promise.reject(new Error('handler failed')));
    await lanes.run('order-a', async () => void seen.push('next'));
    await lanes.idle();
    expect(seen).to.deep.equal(['next']);
  });
});
