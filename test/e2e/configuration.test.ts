import { repoRoot } from '@fooddelivery/stack/paths';
import { expect } from 'chai';
import { execFile } from 'node:child_process';

const start = (service: string, env: Record<string, string>) =>
  new Promise<{ code: number | null; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `services/${service}/src/main.ts`],
      { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 30_000 },
      (error, _stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
    );
  });

describe('configuration is validated at start', function () {
  this.timeout(60_000);

  for (const [service, env, names] of [
    ['store', { GRPC_PORT: 'abc', DATABASE_URL: 'mysql://db' }, ['GRPC_PORT', 'DATABASE_URL']],
    [
      'order',
      { PAYMENT_GRPC_ADDRESS: 'payment', BREAKER_ERROR_THRESHOLD_PERCENT: '150' },
      ['PAYMENT_GRPC_ADDRESS', 'BREAKER_ERROR_THRESHOLD_PERCENT'],
    ],
    ['payment', { PAYMENT_CAPACITY: '-1' }, ['PAYMENT_CAPACITY']],
    ['notification', { AUTH_MODE: 'maybe' }, ['AUTH_MODE']],
  ] as const) {
    it(`${service} exits non-zero naming ${names.join(' and ')}`, async () => {
      const { code, stderr } = await start(service, env);
      expect(code).to.equal(78);
      for (const name of names) expect(stderr).to.include(name);
    });
  }
});
