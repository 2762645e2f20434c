import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SpawnOptions {
  /** Shown in messages, e.g. "nats-server". */
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr are appended to this file. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as another user (the parent must be root), e.g. postgres. */
  user?: { uid: number; gid: number };
  /** The signal that asks for a graceful stop (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
  /** stop() sends SIGKILL when the process is still running after this (default 30 s). */
  stopTimeoutMs?: number;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code, or null when a signal ended the process. */
  readonly exited: Promise<number | null>;
  /** undefined while the process runs. */
  readonly exitCode: number | null | undefined;
  /** Graceful stop; resolves with the exit code. Does nothing once the process has exited. */
  stop(): Promise<number | null>;
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<number | null>;
}

/** Children still running; SIGKILLed if this process exits without stopping them. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts a program with its output appended to a log file. It gets its own process group, so a
 * Ctrl-C in the terminal reaches only us and we stop children in our own order.
 */
export async function spawnProcess(options: SpawnOptions): Promise<ManagedProcess> {
  const { name, logFile, stopSignal = 'SIGTERM', stopTimeoutMs = 30_000 } = options;
  mkdirSync(dirname(logFile), { recursive: true });
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', log, log],
      detached: true,
      ...(options.user ?? {}),
    });
  } finally {
    closeSync(log);
  }
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      running.delete(child);
      resolve(code);
    });
  });
  try {
    await once(child, 'spawn');
  } catch (error) {
    throw new Error(`could not start ${name} (${options.command}): ${(error as Error).message}`, { cause: error });
  }
  if (exitCode === undefined) running.add(child);

  const stop = async () => {
    if (exitCode !== undefined) return exitCode;
    child.kill(stopSignal);
    const escalate = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(escalate);
    }
  };
  const kill = async () => {
    if (exitCode !== undefined) return exitCode;
    child.kill('SIGKILL');
    return exited;
  };

  return {
    name,
    pid: child.pid!,
    logFile,
    exited,
    get exitCode() {
      return exitCode;
    },
    stop,
    kill,
  };
}

/** Something started through this package that stopAll() must stop. */
export interface Stoppable {
  readonly name: string;
  stop(): Promise<unknown>;
}

const tracked: Stoppable[] = [];

/** Registers a started process (or a handle around one) for stopAll(). */
export function track(stoppable: Stoppable): void {
  tracked.push(stoppable);
}

/** Stops everything started so far, most recent first (services before the servers they use). */
export async function stopAll(): Promise<void> {
  const failures: string[] = [];
  for (let next = tracked.pop(); next; next = tracked.pop()) {
    try {
      await next.stop();
    } catch (error) {
      failures.push(`${next.name}: ${(error as Error).message}`);
    }
  }
  if (failures.length > 0) throw new Error(`could not stop everything: ${failures.join('; ')}`);
}

/** The last lines of a log file ('' when it is missing or empty), indented for messages. */
export function tailLog(file: string, lines = 20): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 16 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .map((line) => `    ${line}`)
      .join('\n');
  } finally {
    closeSync(fd);
  }
}

/**
 * On SIGINT or SIGTERM, stop everything started (gracefully) and exit, so that a run cut short
 * (Ctrl-C, `timeout`) leaves no servers behind. For scripts without signal handling of their own.
 */
export function stopAllOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stopAll()
        .catch(() => {})
        .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}
