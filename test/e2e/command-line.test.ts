/*
 * `npm start` as a user runs it: `--help` starts nothing, and SIGTERM or SIGINT sent to npm's own
 * pid stops every process it started and frees every port.
 */
import { repoRoot } from '@fooddelivery/stack/paths';
import { freePort } from '@fooddelivery/stack/ports';
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/events.js';

const services = ['ORDER', 'PAYMENT', 'STORE', 'NOTIFICATION', 'MARKETING'];

/** Every live process below `pid`, from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      const list = children.get(Number(parent)) ?? [];
      list.push(Number(entry));
      children.set(Number(parent), list);
    } catch {
      // the process ended while being read
    }
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start, as a command line', function () {
  this.timeout(240_000);
  const dirs: string[] = [];
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('--help prints what it does and its variables, and starts nothing', () => {
    const result = spawnSync('npm', ['start', '--', '--help'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout).to.include('usage: npm start');
    expect(result.stdout).to.include('EDGE_PORT');
    expect(result.stdout).to.not.include('Starting NATS');
  });

  it('refuses an unknown argument, naming it', () => {
    const result = spawnSync('npm', ['start', '--', '--frobnicate'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(result.status).to.not.equal(0);
    expect(result.stderr).to.include('unknown argument "--frobnicate"');
  });

  it('every script that takes arguments answers --help with its usage, doing nothing else', () => {
    const scripts = [
      'logs',
      'bench:siege',
      'bench:grpc',
      'bench:tracking',
      'races',
      'soak',
      'chaos',
      'replay-dead-letters',
      'token',
      'secrets',
      'trace',
    ];
    for (const script of scripts) {
      const result = spawnSync('npm', ['run', '-s', script, '--', '--help'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
      expect(result.status, `${script}: ${result.stderr}`).to.equal(0);
      expect(result.stdout, script).to.match(/^usage: /);
    }
  });

  const stops = [
    { how: "SIGTERM to npm's pid", signal: 'SIGTERM', group: false },
    { how: "SIGINT to npm's pid", signal: 'SIGINT', group: false },
    // A terminal's Ctrl-C: SIGINT to the whole foreground group, which npm forwards once more.
    { how: "Ctrl-C (SIGINT to npm's process group)", signal: 'SIGINT', group: true },
  ] as const;
  for (const { how, signal, group } of stops) {
    it(`${how} stops every process it started, gracefully, and frees every port`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
      dirs.push(dataDir);
      const ports: Record<string, number> = {};
      for (const name of ['EDGE_PORT', 'NATS_PORT', 'NATS_MONITOR_PORT', 'FERRETDB_PORT']) ports[name] = await freePort();
      for (const service of services) {
        ports[`${service}_GRPC_PORT`] = await freePort();
        ports[`${service}_HTTP_PORT`] = await freePort();
      }
      const npm: ChildProcess = spawn('npm', ['start'], {
        cwd: repoRoot,
        env: { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: group,
      });
      let output = '';
      npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
      let started: number[] = [];
      try {
        await eventually(
          'npm start to be running',
          async () => {
            if (npm.exitCode !== null) throw new Error(`npm start exited (${npm.exitCode}):\n${output}`);
            return output.includes('Food delivery is running') ? true : undefined;
          },
          180_000,
        );
        started = descendants(npm.pid!);
        expect(started.length, 'npm, its script, the stack, NATS, FerretDB, five services').to.be.at.least(8);
        for (const port of Object.values(ports)) expect(await listening(port), `port ${port} before`).to.equal(true);

        if (group) process.kill(-npm.pid!, signal);
        else npm.kill(signal);
        expect(await exited).to.equal(0);
        await eventually('every process to end', async () => (started.some(alive) ? undefined : true), 30_000).catch(() => {
          expect(started.filter(alive), 'processes left running').to.deep.equal([]);
        });
        for (const port of Object.values(ports)) expect(await listening(port), `port ${port} after`).to.equal(false);
        expect(output).to.include('Stopped.');
        expect(output, 'one Ctrl-C is a graceful stop').to.not.include('Stopping at once');
        expect(existsSync(join(dataDir, 'logs', 'order.log'))).to.equal(true);
      } finally {
        if (alive(npm.pid!)) npm.kill('SIGKILL');
        for (const pid of [...descendants(npm.pid!), ...started].filter(alive)) process.kill(pid, 'SIGKILL');
      }
    });
  }
});
