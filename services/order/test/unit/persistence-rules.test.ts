import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const source = join(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The order log relies only on what MongoDB and FerretDB both guarantee (docs/order-log.md). These
 * operations are not among them; the integration suite also watches the commands actually sent.
 */
describe('order persistence uses only what FerretDB guarantees', () => {
  const forbidden: Array<[RegExp, string]> = [
    [/\$pull(All)?\b/, 'array removal'],
    [/\$push\b|\$pop\b|\$inc\b/, 'read-modify-write operators'],
    [/findOneAnd(Update|Replace|Delete)|findAndModify/, 'conditional find-and-modify'],
    [/startSession|withTransaction|startTransaction/, 'multi-document transactions'],
    [/updateMany|bulkWrite/, 'updates of many documents'],
  ];
  it(`no source file uses ${forbidden.map(([, what]) => what).join(', ')}`, () => {
    const found = files(source).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return forbidden.filter(([pattern]) => pattern.test(text)).map(([, what]) => `${what} in ${file.slice(source.length + 1)}`);
    });
    expect(found).to.deep.equal([]);
  });
});
