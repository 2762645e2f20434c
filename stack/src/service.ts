import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HealthProbe } from './health.js';
import { displayPath, repoRoot } from './paths.js';
import { spawnProcess, track } from './processes.js';
import { waitUntil } from './wait.js';

export type ServiceName = 'order' | 'payment' | 'store' | 'notification';

export interface ServiceOptions {
  /** Added to (and overriding) this process's environment. */
  env?: Record<string, string>;
  /** stdout and stderr are appended here. */
  logFile: string;
}

export interface ServiceProcess {
  name: ServiceName;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** SIGTERM (the service drains, then exits); resolves with the exit code. */
  stop(): Promise<number | null>;
  kill(): Promise<number | null>;
  /** Polls grpc.health.v1.Health/Check at host:port until SERVING. */
  waitServing(grpcAddress: string, timeoutMs?: number): Promise<void>;
}

/** services/<name>/src/main.ts, relative to the repository root; throws when it does not exist. */
export function serviceEntry(name: ServiceName): string {
  const entry = join('services', name, 'src', 'main.ts');
  if (!existsSync(join(repoRoot, entry))) throw new Error(`cannot start the ${name} service: ${entry} does not exist`);
  return entry;
}

/** Runs services/<name>/src/main.ts with tsx, from the repository root. */
export async function startService(name: ServiceName, options: ServiceOptions): Promise<ServiceProcess> {
  const entry = serviceEntry(name);

  const child = await spawnProcess({
    name,
    command: process.execPath,
    // CPU_PROFILE_DIR (read here, not by the service): a V8 CPU profile of the process, written when it exits.
    args: [
      ...(options.env?.CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${options.env.CPU_PROFILE_DIR}`] : []),
      '--import',
      'tsx',
      entry,
    ],
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    logFile: options.logFile,
  });
  const service: ServiceProcess = {
    name,
    pid: child.pid,
    logFile: options.logFile,
    exited: child.exited,
    stop: () => child.stop(),
    kill: () => child.kill(),
    async waitServing(grpcAddress, timeoutMs = 60_000) {
      const probe = new HealthProbe(grpcAddress);
      let last = 'no answer yet';
      try {
        await waitUntil(`${name} service at ${grpcAddress}`, async () => (last = await probe.status()) === 'SERVING', {
          timeoutMs,
          intervalMs: 250,
          process: child,
        });
      } catch (error) {
        const message = (error as Error).message;
        throw new Error(child.exitCode === undefined ? `${message} (health: ${last}; log: ${displayPath(options.logFile)})` : message);
      } finally {
        probe.close();
      }
    },
  };
  track({ name, stop: () => service.stop() });
  return service;
}
