import type { FerretDbOptions } from '@fooddelivery/stack/ferretdb';
import { freePort } from '@fooddelivery/stack/ports';
import { startPostgres } from '@fooddelivery/stack/postgres';
import { temporaryDirectory } from '@fooddelivery/stack/temp-dirs';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';

export type FerretDbBackend = 'sqlite' | 'postgresql';

export function parseBackend(value: string | undefined): FerretDbBackend {
  if (value === 'sqlite' || value === 'postgresql') return value;
  throw new Error(`--ferretdb must be sqlite or postgresql (got "${value}")`);
}

/** What startSystem needs for FerretDB on that backend: for PostgreSQL, a private cluster is started (stopped by stopAll). */
export async function ferretDbOn(backend: FerretDbBackend): Promise<Pick<FerretDbOptions, 'postgresqlUrl'>> {
  if (backend === 'sqlite') return {};
  const dir = temporaryDirectory('fooddelivery-bench-pg-');
  // PostgreSQL runs as its own user when we are root; it must be able to reach its data directory.
  chmodSync(dir, 0o711);
  const postgres = await startPostgres({ dataDir: join(dir, 'postgres'), port: await freePort() });
  return { postgresqlUrl: await postgres.createDatabase('ferretdb') };
}
