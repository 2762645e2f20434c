import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { toolPath } from './paths.js';
import { spawnProcess, track, type ManagedProcess } from './processes.js';
import { waitUntil } from './wait.js';

export interface FerretDbOptions {
  /** SQLite files, one per database. */
  dataDir: string;
  port: number;
  /** Default: ferretdb.log in dataDir. */
  logFile?: string;
  readyTimeoutMs?: number;
  /** FerretDB's PostgreSQL handler on this database instead of SQLite files in dataDir. */
  postgresqlUrl?: string;
  /** Serves Go's profiles on 127.0.0.1:<port>/debug/pprof/ (for the benches). */
  pprofPort?: number;
}

export interface FerretDb {
  url: string;
  logFile: string;
  stop(): Promise<void>;
  kill(): Promise<void>;
  /** Starts it again on the same port and data (after stop or kill, or stopping it first). */
  restart(): Promise<void>;
  /** The process id of the running server (for CPU readings and fault injection). */
  pid(): number;
}

/** FerretDB (MongoDB wire protocol over SQLite) on 127.0.0.1; resolves once it answers a ping. */
export async function startFerretDb(options: FerretDbOptions): Promise<FerretDb> {
  const { dataDir, port, readyTimeoutMs = 30_000 } = options;
  const logFile = options.logFile ?? join(dataDir, 'ferretdb.log');
  const url = `mongodb://127.0.0.1:${port}/`;
  mkdirSync(dataDir, { recursive: true });

  const launch = async (): Promise<ManagedProcess> => {
    const server = await spawnProcess({
      name: 'ferretdb',
      command: toolPath('ferretdb'),
      // FerretDB wants the SQLite directory as a file: URI ending in a slash.
      args: [
        '-listen-addr',
        `127.0.0.1:${port}`,
        ...(options.postgresqlUrl
          ? ['-handler', 'postgresql', '-postgresql-url', options.postgresqlUrl]
          : [
              '-handler',
              'sqlite',
              '-sqlite-url',
              // WAL (FerretDB's default) with synchronous=NORMAL: a process crash loses nothing; only a
              // power loss may lose the last commits. This is the local stack; production runs MongoDB.
              `file:${dataDir.replace(/\/?$/, '/')}?_pragma=synchronous(normal)`,
            ]),
        ...(options.pprofPort ? ['-pprof-addr', `127.0.0.1:${options.pprofPort}`] : []),
        '-log-level',
        'warn',
      ],
      // Go's collector runs when the heap has grown by GOGC %: at 400 instead of 100 it runs a quarter
      // as often, for a heap of tens of MB; FerretDB's CPU per order falls by about a seventh
      // (docs/benchmarks.md).
      env: { ...process.env, GOGC: process.env.GOGC ?? '400' },
      logFile,
    });
    try {
      await waitUntil(`FerretDB on port ${port}`, () => answersPing(url), { timeoutMs: readyTimeoutMs, intervalMs: 200, process: server });
    } catch (error) {
      await server.kill();
      throw error;
    }
    return server;
  };
  let current = await launch();
  const handle: FerretDb = {
    url,
    logFile,
    stop: async () => void (await current.stop()),
    kill: async () => void (await current.kill()),
    restart: async () => {
      if (current.exitCode === undefined) await current.stop();
      current = await launch();
    },
    pid: () => current.pid,
  };
  track({ name: 'ferretdb', stop: () => handle.stop() });
  return handle;
}

async function answersPing(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1_000, connectTimeoutMS: 1_000 });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}
