import { credentials } from '@grpc/grpc-js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HealthProbe } from './health.js';
import { displayPath, repoRoot } from './paths.js';
import { spawnProcess, track } from './processes.js';
import { waitUntil } from './wait.js';

export type ServiceName = 'order' | 'payment' | 'store' | 'notification' | 'marketing';

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

/**
 * services/<name>/src/main.ts, relative to the repository root; for marketing (Python), its package
 * services/marketing/src/marketing. Throws when it does not exist.
 */
export function serviceEntry(name: ServiceName): string {
  const entry = name === 'marketing' ? join('services', name, 'src', 'marketing', '__main__.py') : join('services', name, 'src', 'main.ts');
  if (!existsSync(join(repoRoot, entry))) throw new Error(`cannot start the ${name} service: ${entry} does not exist`);
  if (name === 'marketing' && !existsSync(join(repoRoot, marketingPython))) {
    throw new Error(`cannot start the marketing service: ${marketingPython} is missing: run \`bash scripts/setup.sh\``);
  }
  return entry;
}

/** The marketing service's Python, in the virtual environment scripts/setup.sh makes. */
const marketingPython = join('services', 'marketing', '.venv', 'bin', 'python');

/** The command that runs a service from the repository root: tsx for TypeScript, the venv's Python for marketing. */
export function serviceCommand(name: ServiceName, profileDir?: string): { command: string; args: string[]; env: Record<string, string> } {
  const entry = serviceEntry(name);
  // CPU_PROFILE_DIR (read here, not by the service): a V8 CPU profile of the process, written when it exits.
  const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  if (name !== 'marketing') return { command: process.execPath, args: [...profiling, '--import', 'tsx', entry], env: {} };
  const path = [join(repoRoot, 'services', 'marketing', 'src'), join(repoRoot, 'gen', 'python')].join(':');
  return { command: join(repoRoot, marketingPython), args: ['-m', 'marketing'], env: { PYTHONPATH: path, PYTHONUNBUFFERED: '1' } };
}

/** Runs a service (see serviceCommand) from the repository root. */
export async function startService(name: ServiceName, options: ServiceOptions): Promise<ServiceProcess> {
  const { command, args, env } = serviceCommand(name, options.env?.CPU_PROFILE_DIR);

  const child = await spawnProcess({
    name,
    command,
    args,
    cwd: repoRoot,
    env: { ...process.env, ...env, ...options.env },
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
      // A service on mutual TLS is asked with its own certificate.
      const tls = options.env?.GRPC_TLS_CA_FILE ? options.env : undefined;
      const probe = new HealthProbe(
        grpcAddress,
        tls
          ? credentials.createSsl(
              readFileSync(tls.GRPC_TLS_CA_FILE!),
              readFileSync(tls.GRPC_TLS_KEY_FILE!),
              readFileSync(tls.GRPC_TLS_CERT_FILE!),
            )
          : undefined,
      );
      let last = 'no answer yet';
      try {
        await waitUntil(`${name} service at ${grpcAddress}`, async () => (last = await probe.status()) === 'SERVING', {
          timeoutMs,
          intervalMs: 250,
          process: child,
        });
      } catch (error) {
        const message = (error as Error).message;
        throw new Error(child.exitCode === undefined ? `${message} (health: ${last}; log: ${displayPath(options.logFile)})` : message, {
          cause: error,
        });
      } finally {
        probe.close();
      }
    },
  };
  track({ name, stop: () => service.stop() });
  return service;
}
