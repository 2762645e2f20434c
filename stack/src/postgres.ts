import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { spawnProcess, tailLog, track } from './processes.js';
import { waitUntil } from './wait.js';

const run = promisify(execFile);

export interface PostgresOptions {
  /** Initialised (initdb) when empty or missing; reused when it already holds a cluster. */
  dataDir: string;
  port: number;
  /** Default: <dataDir>.log, beside the data directory (initdb needs an empty one). */
  logFile?: string;
  readyTimeoutMs?: number;
}

export interface Postgres {
  /** The "postgres" database. */
  url: string;
  logFile: string;
  /** Creates the database unless it exists; resolves with its URL. */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown (SIGINT: disconnects clients), then waits for the exit. */
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/**
 * A private PostgreSQL cluster on 127.0.0.1 (trust authentication, superuser "postgres"), with its
 * unix socket in the data directory. PostgreSQL refuses to run as root, so under root the server
 * runs as the system user postgres, which must be able to reach dataDir.
 */
export async function startPostgres(options: PostgresOptions): Promise<Postgres> {
  const dataDir = resolve(options.dataDir);
  const { port, readyTimeoutMs = 60_000 } = options;
  const logFile = options.logFile ?? `${dataDir}.log`;
  const bin = postgresBinDir();
  const user = serverUser();
  prepareDataDir(dataDir, user);

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    const initdb = await spawnProcess({
      name: 'initdb',
      command: join(bin, 'initdb'),
      args: ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale'],
      logFile,
      cwd: dataDir,
      ...(user ? { user } : {}),
    });
    const code = await initdb.exited;
    if (code !== 0) throw new Error(`initdb failed (exit ${code}) for ${dataDir}:\n${tailLog(logFile, 15)}`);
  }

  const server = await spawnProcess({
    name: 'postgres',
    command: join(bin, 'postgres'),
    args: ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dataDir],
    logFile,
    cwd: dataDir,
    stopSignal: 'SIGINT',
    ...(user ? { user } : {}),
  });
  const client = ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'];
  try {
    await waitUntil(`PostgreSQL on port ${port}`, () => succeeds(join(bin, 'pg_isready'), [...client, '-t', '1']), {
      timeoutMs: readyTimeoutMs,
      intervalMs: 200,
      process: server,
    });
  } catch (error) {
    await server.kill();
    throw error;
  }

  const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const handle: Postgres = {
    url: urlOf('postgres'),
    logFile,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${JSON.stringify(name)}: use lower-case letters, digits and _`);
      try {
        await run(join(bin, 'createdb'), [...client, name]);
      } catch (error) {
        const stderr = (error as { stderr?: string }).stderr ?? '';
        if (!stderr.includes('already exists')) {
          throw new Error(`createdb ${name} failed: ${stderr.trim() || (error as Error).message}`, { cause: error });
        }
      }
      return urlOf(name);
    },
    stop: async () => void (await server.stop()),
    kill: async () => void (await server.kill()),
  };
  track({ name: 'postgres', stop: () => handle.stop() });
  return handle;
}

/** The newest /usr/lib/postgresql/<version>/bin, or $PG_BIN. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((version) => existsSync(join(base, version, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined) {
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin): run `SETUP_POSTGRES=1 bash scripts/setup.sh` or set PG_BIN',
    );
  }
  return join(base, versions[0], 'bin');
}

interface User {
  uid: number;
  gid: number;
}

/** Under root, the system user postgres; otherwise the current user (undefined). */
function serverUser(): User | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('PostgreSQL cannot run as root and there is no user "postgres" to run it as');
  }
}

function prepareDataDir(dataDir: string, user: User | undefined): void {
  mkdirSync(dataDir, { recursive: true });
  if (user) {
    assertReachable(dataDir, user);
    chownSync(dataDir, user.uid, user.gid);
  }
  chmodSync(dataDir, 0o700);
  if (!existsSync(join(dataDir, 'PG_VERSION')) && readdirSync(dataDir).length > 0) {
    throw new Error(`${dataDir} is neither empty nor a PostgreSQL data directory`);
  }
}

/** Each directory above dataDir must be searchable by the server's user. */
function assertReachable(dataDir: string, user: User): void {
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const { mode, uid, gid } = statSync(dir);
    const bit = uid === user.uid ? 0o100 : gid === user.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) {
      throw new Error(`PostgreSQL runs as user postgres, which cannot reach ${dataDir}: make ${dir} searchable (chmod o+x ${dir})`);
    }
    if (dir === dirname(dir)) return;
  }
}

async function succeeds(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args);
    return true;
  } catch {
    return false;
  }
}
