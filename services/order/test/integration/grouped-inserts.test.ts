import { startFerretDb, type FerretDb } from '@fooddelivery/stack/ferretdb';
import { freePort } from '@fooddelivery/stack/ports';
import { expect } from 'chai';
import type { CommandStartedEvent, Document } from 'mongodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDependencyOutage } from '@fooddelivery/adapters/errors';
import { GroupedInserts } from '../../src/adapters/persistence/grouped-inserts.js';
import { isDuplicateKey, openOrderDatabase, type OrderDatabase } from '../../src/adapters/persistence/order-database.js';

interface Entry {
  _id: string;
  writer: string;
}

describe('inserts grouped into one command (FerretDB)', function () {
  this.timeout(60_000);
  let dir: string;
  let ferretDb: FerretDb;
  let database: OrderDatabase;
  const inserts: Document[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grouped-inserts-'));
    ferretDb = await startFerretDb({ dataDir: join(dir, 'ferretdb'), port: await freePort() });
    database = await openOrderDatabase(ferretDb.url, 'grouped', { timeoutMs: 10_000, monitorCommands: true });
    database.client.on('commandStarted', (event: CommandStartedEvent) => {
      if (event.commandName === 'insert') inserts.push(event.command);
    });
  });
  after(async () => {
    await database?.close();
    await ferretDb?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores 1,000 inserts asked for at once in far fewer commands, and fails only those whose _id was taken', async () => {
    const collection = database.db.collection<Entry>('entries');
    await collection.insertMany(Array.from({ length: 100 }, (_, i) => ({ _id: `taken-${i}`, writer: 'earlier' })));
    const grouped = new GroupedInserts(collection, { timeoutMs: 10_000, maxBatch: 160, concurrency: 2 });
    inserts.length = 0;

    // 800 new ids, 100 ids stored earlier, and 50 new ids asked for twice (one of each pair must lose).
    const asked = [
      ...Array.from({ length: 800 }, (_, i) => ({ _id: `new-${i}`, writer: 'grouped' })),
      ...Array.from({ length: 100 }, (_, i) => ({ _id: `taken-${i}`, writer: 'grouped' })),
      ...Array.from({ length: 50 }, (_, i) => ({ _id: `twice-${i}`, writer: 'first' })),
      ...Array.from({ length: 50 }, (_, i) => ({ _id: `twice-${i}`, writer: 'second' })),
    ];
    const outcomes = await Promise.allSettled(asked.map((entry) => grouped.insert(entry)));

    const failed = asked.filter((_, i) => outcomes[i]!.status === 'rejected');
    expect(failed.map((entry) => entry._id).sort()).to.deep.equal(
      [...Array.from({ length: 100 }, (_, i) => `taken-${i}`), ...Array.from({ length: 50 }, (_, i) => `twice-${i}`)].sort(),
    );
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(isDuplicateKey(outcome.reason)).to.equal(true);

    const stored = await collection.find({}).toArray();
    expect(stored).to.have.length(950);
    expect(stored.filter((entry) => entry.writer === 'earlier')).to.have.length(100);
    const winners = new Map(
      asked
        .filter((entry, i) => entry._id.startsWith('twice-') && outcomes[i]!.status === 'fulfilled')
        .map((entry) => [entry._id, entry.writer]),
    );
    expect(winners.size).to.equal(50);
    for (const entry of stored.filter((entry) => entry._id.startsWith('twice-'))) expect(entry.writer).to.equal(winners.get(entry._id));
    expect(inserts.length, 'insert commands').to.be.within(7, 60);
    expect(inserts.every((command) => command.ordered === false)).to.equal(true);
  });

  it('sends a lone insert at once, in a command of its own', async () => {
    const grouped = new GroupedInserts(database.db.collection<Entry>('lone'), { timeoutMs: 10_000 });
    inserts.length = 0;
    await grouped.insert({ _id: 'alone', writer: 'lone' });
    expect(inserts.map((command) => (command.documents as Document[]).length)).to.deep.equal([1]);
  });

  it('fails every waiting insert as an outage, none waiting past its time limit, when the database cannot be reached', async () => {
    const timeoutMs = 1_500;
    // One command at a time, ten inserts each: unbounded, the last of the four batches would wait four time limits.
    const grouped = new GroupedInserts(database.db.collection<Entry>('unreachable'), { timeoutMs, maxBatch: 10, concurrency: 1 });
    await ferretDb.stop();
    const asked = performance.now();
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => grouped.insert({ _id: `lost-${i}`, writer: 'x' })));
    const waited = performance.now() - asked;
    expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(Array.from({ length: 40 }, () => 'rejected'));
    for (const outcome of outcomes) {
      if (outcome.status !== 'rejected') continue;
      expect(isDuplicateKey(outcome.reason)).to.equal(false);
      expect(isDependencyOutage(outcome.reason), String(outcome.reason)).to.equal(true);
    }
    expect(waited, 'ms until the last insert failed').to.be.below(3 * timeoutMs);
  });
});
