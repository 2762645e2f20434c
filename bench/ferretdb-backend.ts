import type { FerretDbOptions } from '@fooddelivery/stack/ferretdb';
import { freePort } from '@fooddelivery/stack/ports';
import { startPostgres } from '@fooddelivery/stack/postgres';
import { temporaryDirectory } from '@fooddelivery/stack/temp-dirs';
import { join } from 'node:path';

export type FerretDbBackend = 'sqlite' | 'postgresql';

export function parseBackend(value: string | undefined): FerretDbBackend {
  if (value === 'sqlite' || value === 'postgresql') return value;
  throw new Error(`--ferretdb must be sqlite or postgresql (got "${value}")`);
}

/** What startSystem needs for FerretDB on that backend: for PostgreSQL, a private cluster is started (stopped by stopAll). */
export async function ferretDbOn(backend: FerretDbBackend): Promise<Pick<FerretDbOptions, 'postgresqlUrl'>> {
  if (backend === 'sqlite') return {};
  const postgres = await startPostgres({ dataDir: join(temporaryDirectory('fooddelivery-bench-pg-'), 'postgres'), port: await freePort() });
  return { postgresqlUrl: await postgres.createDatabase('ferretdb') };
}
