import { HealthProbe } from '@fooddelivery/stack/health';
import { startNats, type NatsServer } from '@fooddelivery/stack/nats';
import { freePort } from '@fooddelivery/stack/ports';
import { stopAll } from '@fooddelivery/stack/processes';
import { startService, type ServiceProcess } from '@fooddelivery/stack/service';
import { temporaryDirectory } from '@fooddelivery/stack/temp-dirs';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../support/events.js';

/** Runs `check` `times` times, half a second apart: a state that must hold while the client retries. */
async function everyHalfSecond(times: number, check: () => Promise<unknown>): Promise<void> {
  for (let round = 0; round < times; round++) {
    await check();
    await sleep(500);
  }
}

interface LogLine {
  level: string;
  msg: string;
}

describe('NATS unreachable: one clear line, retrying, and a service that recovers by itself', function () {
  this.timeout(120_000);
  let dir: string;
  let natsPort: number;
  let natsUrl: string;
  let grpcAddress: string;
  let service: ServiceProcess;
  let health: HealthProbe;
  let nats: NatsServer;

  const logLines = (): LogLine[] =>
    readFileSync(service.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  const linesMatching = (pattern: RegExp) => logLines().filter((line) => pattern.test(line.msg));
  const firstLine = (what: string, pattern: RegExp) => eventually(what, async () => linesMatching(pattern)[0], 30_000);

  before(async () => {
    dir = temporaryDirectory('fooddelivery-nats-unreachable-');
    natsPort = await freePort();
    natsUrl = `nats://127.0.0.1:${natsPort}`;
    const [grpc, http] = [await freePort(), await freePort()];
    grpcAddress = `127.0.0.1:${grpc}`;
    service = await startService('payment', {
      env: {
        GRPC_PORT: String(grpc),
        HTTP_PORT: String(http),
        BIND_HOST: '127.0.0.1',
        NATS_URL: natsUrl,
        AUTH_MODE: 'off',
        LOG_LEVEL: 'info',
        DATABASE_URL: `sqlite:${join(dir, 'payment.sqlite')}`,
      },
      logFile: join(dir, 'payment.log'),
    });
    health = new HealthProbe(grpcAddress);
  });
  after(async () => {
    health?.close();
    await stopAll();
  });

  it('prints one line naming the address and the reason while NATS is down, NOT_SERVING meanwhile; serves once NATS starts', async () => {
    const line = await firstLine('the NATS-unreachable line', /NATS unreachable/);
    expect(line).to.deep.include({
      level: 'error',
      msg: `NATS unreachable at ${natsUrl}: connection refused; retrying every 0.5 s`,
    });
    // Several retries (one every 0.5 s), while the service answers that it is not ready.
    await everyHalfSecond(6, async () => expect(await health.status()).to.equal('NOT_SERVING'));

    nats = await startNats({ dataDir: join(dir, 'nats'), port: natsPort });
    await service.waitServing(grpcAddress, 30_000);
    const reachable = await firstLine('the NATS-reachable line', /NATS reachable/);
    const downSeconds = Number(/after ([\d.]+) s$/.exec(reachable.msg)?.[1]);
    expect(downSeconds, 'retried for a while before it was reachable').to.be.at.least(2.5);
    expect(linesMatching(/NATS unreachable/), 'said once, not at every retry').to.have.lengthOf(1);
    expect(
      logLines()
        .filter((entry) => entry.msg.includes('NATS'))
        .map((entry) => entry.msg),
    ).to.deep.equal([line.msg, reachable.msg]);
    console.log(`      ${line.msg}\n      ${reachable.msg}`);
  });

  it('says once that the connection is lost and once that it is back when NATS stops and starts again', async () => {
    const before = logLines().length;
    await nats.stop();
    const lost = await firstLine('the connection-lost line', /NATS connection lost/);
    expect(lost).to.deep.include({ level: 'error', msg: `NATS connection lost at ${natsUrl}; reconnecting every 0.5 s` });
    // Several reconnection attempts, while the service keeps answering (health over gRPC).
    await everyHalfSecond(6, async () => expect(await health.status()).to.be.oneOf(['SERVING', 'NOT_SERVING']));
    await nats.restart();
    const back = await firstLine('the connection-back line', /NATS connection back/);
    expect(back.msg).to.match(new RegExp(`^NATS connection back at ${natsUrl} after [\\d.]+ s$`));
    expect(Number(/after ([\d.]+) s$/.exec(back.msg)?.[1]), 'reconnection tried for a while').to.be.at.least(2.5);
    const natsLines = logLines()
      .slice(before)
      .filter((entry) => entry.msg.includes('NATS'))
      .map((entry) => entry.msg);
    expect(natsLines, 'one line on loss, one on recovery').to.deep.equal([lost.msg, back.msg]);
    await service.waitServing(grpcAddress, 30_000);
    console.log(`      ${lost.msg}\n      ${back.msg}`);
  });
});
