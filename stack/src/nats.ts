import { mkdirSync, writeFileSync } from 'node:fs';
import { authorizationBlock, type NatsIdentities } from './nats-access.js';
import { join } from 'node:path';
import { toolPath } from './paths.js';
import { freePort } from './ports.js';
import { spawnProcess, track, type ManagedProcess } from './processes.js';
import { waitUntil } from './wait.js';

export interface NatsOptions {
  /** JetStream file storage (-sd). Kept across restart(). */
  dataDir: string;
  port: number;
  /** HTTP monitoring port, used for readiness (default: a free port). */
  monitorPort?: number;
  /** Default: nats-server.log in dataDir. */
  logFile?: string;
  readyTimeoutMs?: number;
  /** When given, anonymous connections are refused and each identity gets only its permissions (nats-access.ts). */
  identities?: NatsIdentities;
}

export interface NatsServer {
  /** For tooling and tests: with the operator's credentials when the server authenticates. */
  url: string;
  /** For the services, which bring their own identity (NATS_NKEY_SEED_FILE). */
  serviceUrl: string;
  monitorUrl: string;
  logFile: string;
  /** The server process's id (changes when it is restarted). */
  pid(): number;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL, as in a crash. */
  kill(): Promise<void>;
  /** Stops the server if it still runs and starts it again with the same ports and data. */
  restart(): Promise<void>;
}

/** nats-server (from .tools/bin) with JetStream on 127.0.0.1; resolves once it is healthy. */
export async function startNats(options: NatsOptions): Promise<NatsServer> {
  const { dataDir, port, readyTimeoutMs = 30_000 } = options;
  const monitorPort = options.monitorPort ?? (await freePort());
  const logFile = options.logFile ?? join(dataDir, 'nats-server.log');
  const monitorUrl = `http://127.0.0.1:${monitorPort}`;
  mkdirSync(dataDir, { recursive: true });

  const config: string[] = [];
  if (options.identities) {
    const { publicKeys, ops } = options.identities;
    const file = join(dataDir, 'nats-auth.conf');
    writeFileSync(
      file,
      authorizationBlock((identity) => JSON.stringify(publicKeys[identity]), ops),
      { mode: 0o600 },
    );
    config.push('-c', file);
  }

  const launch = async (): Promise<ManagedProcess> => {
    const server = await spawnProcess({
      name: 'nats-server',
      command: toolPath('nats-server'),
      args: [...config, '-js', '-sd', dataDir, '-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort)],
      logFile,
    });
    try {
      // Plain /healthz also waits for JetStream to have recovered its streams from disk.
      await waitUntil(`nats-server on port ${port}`, () => isOk(`${monitorUrl}/healthz`), { timeoutMs: readyTimeoutMs, process: server });
    } catch (error) {
      await server.kill();
      throw error;
    }
    return server;
  };

  let current = await launch();
  const handle: NatsServer = {
    url: options.identities
      ? `nats://${options.identities.ops.user}:${options.identities.ops.password}@127.0.0.1:${port}`
      : `nats://127.0.0.1:${port}`,
    serviceUrl: `nats://127.0.0.1:${port}`,
    monitorUrl,
    logFile,
    pid: () => current.pid,
    stop: async () => void (await current.stop()),
    kill: async () => void (await current.kill()),
    restart: async () => {
      await current.stop();
      current = await launch();
    },
  };
  track({ name: 'nats-server', stop: () => handle.stop() });
  return handle;
}

async function isOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
