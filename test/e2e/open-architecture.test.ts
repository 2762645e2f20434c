/*
 * Open architecture: marketing joined the system by subscribing to the order and store events.
 * No other service imports, calls or configures it, and it reaches them only through the
 * contracts (the generated protobuf messages and JetStream subjects). Checked on the sources,
 * the dependency rules and the deployment files; test/e2e/marketing.test.ts shows it working.
 */
import { repoRoot } from '@fooddelivery/stack/paths';
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const others = ['order', 'payment', 'store', 'notification'];

function files(dir: string, extensions: RegExp): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === '__pycache__') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...files(path, extensions));
    else if (extensions.test(name)) found.push(path);
  }
  return found;
}

const mentionsMarketing = /marketing|\b50055\b|\b8085\b/i;

describe('open architecture: nothing but marketing knows marketing', () => {
  it('no other service, shared adapter or kernel code mentions it', () => {
    const sources = [
      ...others.map((name) => join(repoRoot, 'services', name)),
      join(repoRoot, 'adapters'),
      join(repoRoot, 'kernel'),
    ].flatMap((dir) => files(dir, /\.(ts|js|json|md)$/));
    expect(sources.length).to.be.greaterThan(50);
    const offenders = sources.filter((file) => mentionsMarketing.test(readFileSync(file, 'utf8')));
    expect(offenders.map((file) => relative(repoRoot, file))).to.deep.equal([]);
  });

  it('no other context contract imports marketing protos', () => {
    const protos = others.concat('common').flatMap((name) => files(join(repoRoot, 'proto', 'fooddelivery', name), /\.proto$/));
    expect(protos.length).to.be.greaterThan(10);
    expect(protos.filter((file) => /marketing/.test(readFileSync(file, 'utf8')))).to.deep.equal([]);
  });

  it('the dependency rules forbid reaching it', () => {
    const config = createRequire(import.meta.url)(join(repoRoot, '.dependency-cruiser.cjs')) as {
      forbidden: Array<{ name: string; severity: string; to: { path?: string | string[] } }>;
    };
    const rule = config.forbidden.find((candidate) => candidate.name === 'nothing-depends-on-marketing');
    expect(rule?.severity).to.equal('error');
    expect(rule?.to.path).to.include('^services/marketing/');
  });

  it('no other service is configured for it: their manifests, compose entries and common configuration', () => {
    for (const name of [...others.map((other) => `${other}.yaml`), 'config.yaml', 'nats.yaml']) {
      expect(readFileSync(join(repoRoot, 'k8s', name), 'utf8'), `k8s/${name}`).to.not.match(mentionsMarketing);
    }
    const compose = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
    for (const name of others) {
      const entry = new RegExp(`^  ${name}:\\n([\\s\\S]*?)(?=^  \\w[\\w-]*:\\n)`, 'm').exec(compose)?.[1];
      expect(entry, `docker-compose.yml: service ${name}`).to.be.a('string');
      expect(entry, `docker-compose.yml: service ${name}`).to.not.match(mentionsMarketing);
    }
  });

  it('marketing reaches the others only through the contracts: generated messages, never their code', () => {
    const python = files(join(repoRoot, 'services', 'marketing', 'src'), /\.py$/);
    expect(python.length).to.be.greaterThan(10);
    const imports = python.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/^\s*(?:from|import)\s+([\w.]+)/gm)].map((match) => ({ file, module: match[1]! })),
    );
    const theirs = imports.filter(({ module }) => /^(services|adapters|kernel|stack)\b/.test(module));
    expect(theirs).to.deep.equal([]);
    const contracts = new Set(imports.filter(({ module }) => module.startsWith('fooddelivery.')).map(({ module }) => module));
    for (const module of contracts) expect(module, 'generated contract modules only').to.match(/^fooddelivery\.\w+\.v1$/);
    expect([...contracts]).to.include.members(['fooddelivery.order.v1', 'fooddelivery.store.v1', 'fooddelivery.marketing.v1']);
  });
});
