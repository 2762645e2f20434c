import { connectTo } from '@fooddelivery/stack/nats-access';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { StorageType, StringCodec, type NatsConnection } from 'nats';
import { startFerretDb } from '@fooddelivery/stack/ferretdb';
import { startNats, type NatsServer } from '@fooddelivery/stack/nats';
import { freePort } from '@fooddelivery/stack/ports';
import { postgresBinDir, startPostgres, type Postgres } from '@fooddelivery/stack/postgres';
import { stopAll } from '@fooddelivery/stack/processes';

const run = promisify(execFile);
const codec = StringCodec();

describe('infrastructure the services run on (real servers)', () => {
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fooddelivery-infra-'));
    chmodSync(dir, 0o755); // PostgreSQL runs as its own user under root and must reach its data directory.
  });

  after(async () => {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('NATS JetStream', () => {
    let nats: NatsServer;
    let connection: NatsConnection | undefined;

    before(async () => {
      nats = await startNats({ dataDir: join(dir, 'nats'), port: await freePort() });
    });

    afterEach(async () => {
      await connection?.close();
      connection = undefined;
    });

    it('stores a message in a file-backed stream', async () => {
      connection = await connectTo(nats.url);
      const manager = await connection.jetstreamManager();
      await manager.streams.add({ name: 'INFRA', subjects: ['infra.>'], storage: StorageType.File });

      const ack = await connection.jetstream().publish('infra.hello', codec.encode('hello'));

      expect(ack.seq).to.equal(1);
      const stored = await manager.streams.getMessage('INFRA', { seq: 1 });
      expect(codec.decode(stored.data)).to.equal('hello');
    });

    it('keeps the message across a restart', async () => {
      await nats.restart();

      connection = await connectTo(nats.url);
      const manager = await connection.jetstreamManager();
      const stored = await manager.streams.getMessage('INFRA', { seq: 1 });

      expect(stored.subject).to.equal('infra.hello');
      expect(codec.decode(stored.data)).to.equal('hello');
    });
  });

  describe('FerretDB', () => {
    it('inserts and finds a document', async () => {
      const ferret = await startFerretDb({ dataDir: join(dir, 'ferretdb'), port: await freePort() });
      const client = await MongoClient.connect(ferret.url);
      try {
        const things = client.db('infra').collection<{ _id: string; name: string }>('things');
        await things.insertOne({ _id: 'a', name: 'pizza' });

        expect(await things.findOne({ _id: 'a' })).to.deep.equal({ _id: 'a', name: 'pizza' });
      } finally {
        await client.close();
      }
      await ferret.stop();
    });
  });

  describe('PostgreSQL', () => {
    let postgres: Postgres;

    before(async () => {
      postgres = await startPostgres({ dataDir: join(dir, 'postgres'), port: await freePort() });
    });

    it('answers a query on a database created on demand', async () => {
      const url = await postgres.createDatabase('infra');

      const { stdout } = await run(join(postgresBinDir(), 'psql'), [url, '-tAc', 'select 1']);

      expect(stdout.trim()).to.equal('1');
      expect(await postgres.createDatabase('infra'), 'creating it again is harmless').to.equal(url);
    });
  });
});
