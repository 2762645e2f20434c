import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const services = ['order', 'payment', 'store', 'notification'];

function files(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, suffix) : path.endsWith(suffix) ? [path] : [];
  });
}

/** The service template of docs/service-template.md, checked where a machine can check it. */
describe('every service follows the service template', () => {
  for (const service of services) {
    const src = join(root, 'services', service, 'src');
    describe(service, () => {
      it('has the same top-level shape: domain/, application/ (ports.ts, actor.ts, validation.ts), adapters/, app.ts, main.ts', () => {
        for (const path of [
          'domain',
          'application/ports.ts',
          'application/actor.ts',
          'application/validation.ts',
          'adapters',
          'app.ts',
          'main.ts',
        ]) {
          expect(existsSync(join(src, path)), `${service}/src/${path}`).to.equal(true);
        }
        expect(
          readdirSync(join(src, 'domain')).filter((name) => name.endsWith('.errors.ts')),
          'one errors file',
        ).to.have.length(1);
      });

      it('gives each use case a file of its own with one public entry point, execute, exercised by a test', () => {
        const tests = [...files(join(root, 'services', service, 'test'), '.ts'), ...files(join(root, 'test', 'simulation'), '.ts')]
          .map((file) => readFileSync(file, 'utf8'))
          .join('\n');
        for (const file of files(join(src, 'application'), '.ts').filter((path) => !path.endsWith('ports.ts'))) {
          const text = readFileSync(file, 'utf8');
          const classes = [...text.matchAll(/^export class (\w+)/gm)].map((match) => match[1]!);
          if (classes.length === 0) continue;
          expect(classes, `${file}: one use case per file`).to.have.length(1);
          const [useCase] = classes;
          const publicMethods = [...text.matchAll(/^ {2}(?:async )?(\w+)\(/gm)]
            .map((match) => match[1]!)
            .filter((name) => name !== 'constructor');
          expect(publicMethods, `${useCase}: one public method`).to.deep.equal(['execute']);
          expect(tests.includes(useCase!), `${useCase} is exercised by a test`).to.equal(true);
        }
      });

      it('names inbound event adapters after their policy (adapters/events/<policy>.consumer.ts) and keeps ids and clocks in the kit', () => {
        for (const name of existsSync(join(src, 'adapters', 'events')) ? readdirSync(join(src, 'adapters', 'events')) : []) {
          expect(name, `${service}/src/adapters/events/${name}`).to.match(/^[a-z-]+\.consumer\.ts$/);
        }
        expect(existsSync(join(src, 'adapters', 'ids.ts')), 'systemClock and uuidGenerator come from @fooddelivery/adapters/ids').to.equal(
          false,
        );
      });

      it('declares its ports in application/ports.ts, never in an adapter', () => {
        for (const file of files(join(src, 'adapters'), '.ts')) {
          const text = readFileSync(file, 'utf8');
          const declared = [...text.matchAll(/^export interface (\w+)/gm)].map((match) => match[1]!);
          const ports = declared.filter((name) =>
            new RegExp(`implements[^{]*\\b${name}\\b`).test(readFileSync(join(src, 'app.ts'), 'utf8')),
          );
          expect(ports, `${file}`).to.deep.equal([]);
        }
      });
    });
  }

  it('shares the technical types through the kernel: Actor, Clock, IdGenerator and HandledEvent are declared once', () => {
    const declarations = services.flatMap((service) =>
      files(join(root, 'services', service, 'src'), '.ts').flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/^export interface (Actor|Clock|IdGenerator|HandledEvent|Principal)\b/gm)].map(
          (match) => `${match[1]} in ${file.slice(root.length + 1)}`,
        ),
      ),
    );
    expect(declarations).to.deep.equal([]);
  });
});
