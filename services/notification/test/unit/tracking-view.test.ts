import { expect } from 'chai';
import type { KvEntry } from 'nats';
import { TrackingView } from '../../src/adapters/persistence/tracking-view.js';

const entry = (key: string, revision: number, operation: KvEntry['operation'] = 'PUT') =>
  ({ key, revision, operation, string: () => `${key}@${revision}` }) as unknown as KvEntry;

describe('TrackingView (the in-memory read view of the tracking bucket)', () => {
  const decoded: string[] = [];
  const view = () => new TrackingView<string>(3, (held) => (decoded.push(held.key), held.string()));

  it('keeps the newest revision of each key: an older one arriving late is ignored', () => {
    const trackings = view();
    trackings.put(entry('a', 5));
    trackings.put(entry('a', 3));
    expect(trackings.get('a')).to.deep.equal({ value: 'a@5' });
    trackings.put(entry('a', 6));
    expect(trackings.get('a')).to.deep.equal({ value: 'a@6' });
  });

  it('holds at most its bound, dropping the least recently used key first', () => {
    const trackings = view();
    for (const key of ['a', 'b', 'c']) trackings.put(entry(key, 1));
    trackings.get('a');
    trackings.put(entry('d', 1));
    expect(trackings.size).to.equal(3);
    expect(trackings.get('b'), 'least recently used').to.equal(undefined);
    expect(trackings.get('a')).to.deep.equal({ value: 'a@1' });
  });

  it('answers a deleted key as held but empty, and decodes a value once however often it is read', () => {
    const trackings = view();
    trackings.put(entry('gone', 1));
    trackings.put(entry('gone', 2, 'DEL'));
    expect(trackings.get('gone')).to.deep.equal({ value: undefined });
    decoded.length = 0;
    trackings.put(entry('x', 1));
    for (let i = 0; i < 5; i++) trackings.get('x');
    expect(decoded).to.deep.equal(['x']);
  });
});
