import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@fooddelivery/stack/paths';

const run = promisify(execFile);
const buf = join(repoRoot, 'node_modules', '.bin', 'buf');

/** The contract test: buf lint on the protos, and buf breaking catching an incompatible change. */
describe('contracts (buf)', function () {
  this.timeout(60_000);
  let copy: string;

  before(() => {
    copy = mkdtempSync(join(tmpdir(), 'fooddelivery-proto-'));
    cpSync(join(repoRoot, 'buf.yaml'), join(copy, 'buf.yaml'));
    cpSync(join(repoRoot, 'proto'), join(copy, 'proto'), { recursive: true });
  });
  after(() => rmSync(copy, { recursive: true, force: true }));

  it('buf lint (STANDARD) is clean', async () => {
    await run(buf, ['lint'], { cwd: repoRoot });
  });

  it('buf breaking accepts the protos as they are and fails when a field number changes', async () => {
    await run(buf, ['breaking', copy, '--against', repoRoot]);
    const file = join(copy, 'proto/fooddelivery/order/v1/order_service.proto');
    writeFileSync(file, readFileSync(file, 'utf8').replace('string delivery_address = 4;', 'string delivery_address = 14;'));
    const failure = await run(buf, ['breaking', copy, '--against', repoRoot]).then(
      () => undefined,
      (error: { code?: number; stdout?: string }) => error,
    );
    expect(failure?.code, 'buf breaking exits 100 on a breaking change').to.equal(100);
    expect(failure?.stdout).to.match(/delivery_address|field.*4/i);
  });
});
