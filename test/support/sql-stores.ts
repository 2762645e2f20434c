import { freePort } from '@fooddelivery/stack/ports';
import { startPostgres, type Postgres } from '@fooddelivery/stack/postgres';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Registers `suite` twice, as mocha describes: on a SQLite file and on a private PostgreSQL
 * cluster (started and stopped here), each time with the URL of a fresh database.
 */
export function onEverySqlStore(name: string, suite: (databaseUrl: () => Promise<string>) => void): void {
  describe(name, function () {
    this.timeout(60_000);
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sql-store-'));
      // PostgreSQL runs as its own user when we are root; it must be able to reach its data directory.
      await chmod(dir, 0o711);
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    describe('on SQLite', () => suite(async () => `sqlite:${join(dir, 'store.sqlite')}`));

    describe('on PostgreSQL', () => {
      let postgres: Postgres;
      before(async () => {
        postgres = await startPostgres({ dataDir: join(dir, 'postgres'), port: await freePort() });
      });
      suite(() => postgres.createDatabase('contract'));
      // Registered after the suite's own hooks, so its connections close before the server stops.
      after(async () => {
        await postgres?.stop();
      });
    });
  });
}
