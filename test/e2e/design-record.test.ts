/*
 * The design record in docs/ kept true to the code: every event message and RPC of the protos on
 * the event-storming board, every durable consumer it names in the sources, every service on the
 * context map and with a hexagon whose named files exist, and the decision log's topics.
 */
import { descriptorRegistry } from '@fooddelivery/adapters/http-routes';
import { Streams } from '@fooddelivery/adapters/streams';
import { repoRoot } from '@fooddelivery/stack/paths';
import type { DescFile, DescService } from '@bufbuild/protobuf';
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const doc = (name: string) => readFileSync(join(repoRoot, 'docs', name), 'utf8');
const registry = descriptorRegistry(readFileSync(join(repoRoot, 'gen', 'descriptor.binpb')));
const services = readdirSync(join(repoRoot, 'services')).filter((name) => statSync(join(repoRoot, 'services', name)).isDirectory());

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name.startsWith('.') || name === '__pycache__') return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|py)$/.test(name) ? [readFileSync(path, 'utf8')] : [];
  });
}

describe('design record (docs/)', () => {
  const board = doc('event-storming.md');
  const map = doc('context-map.md');
  const hexagons = doc('hexagons.md');
  const decisions = doc('decisions.md');

  it('the event-storming board shows every event message of the protos', () => {
    const files = [...registry.files].filter((file: DescFile) => /^fooddelivery\/.*_events$/.test(file.name));
    const events = files.flatMap((file) => file.messages.map((message) => message.name));
    expect(events).to.include.members(['OrderPlaced', 'DeliveryCompleted', 'CouponIssued']);
    expect(events.filter((event) => !new RegExp(`\\b${event}\\b`).test(board))).to.deep.equal([]);
  });

  it('the board shows every RPC as a command, and has one board per context', () => {
    const rpcs = [...registry]
      .filter((type): type is DescService => type.kind === 'service' && type.typeName.startsWith('fooddelivery.'))
      .flatMap((service) => service.methods.map((method) => method.name));
    expect(rpcs).to.include.members(['PlaceOrder', 'ListCoupons', 'GetRecommendations']);
    expect(rpcs.filter((rpc) => !new RegExp(`\\b${rpc}\\b`).test(board))).to.deep.equal([]);
    for (const service of services) expect(board, `a board for ${service}`).to.match(new RegExp(`^## ${service}\\b`, 'm'));
    expect(board.match(/```mermaid/g)?.length).to.be.at.least(services.length);
  });

  it('every durable consumer the board names exists in the sources', () => {
    const code = services.flatMap((service) => sources(join(repoRoot, 'services', service, 'src'))).join('\n');
    const durables = [...board.matchAll(/`((?:order|payment|store|notification|marketing)-[a-z]+(?:-[a-z]+)*)`/g)].map(
      (match) => match[1]!,
    );
    expect(durables.length).to.be.at.least(8);
    expect(durables.filter((durable) => !code.includes(`'${durable}'`) && !code.includes(`"${durable}"`))).to.deep.equal([]);
  });

  it('the context map names every context and every stream, and defers to the saga', () => {
    for (const service of services) expect(map, service).to.include(`${service}[`);
    for (const name of [...Object.values(Streams).map((stream) => stream.name), 'FOODDELIVERY_MARKETING', 'FOODDELIVERY_DEADLETTER']) {
      expect(map, name).to.include(name);
    }
    expect(map).to.include('(saga.md)');
    expect(map).to.match(/```mermaid/);
  });

  it('every service has a hexagon, and every file it names exists', () => {
    for (const service of services) expect(hexagons, `a hexagon for ${service}`).to.match(new RegExp(`^## ${service}\\b`, 'm'));
    expect(hexagons.match(/```mermaid/g)?.length).to.equal(services.length);
    const paths = [...hexagons.matchAll(/`((?:services|adapters)\/[\w./-]+)`/g)].map((match) => match[1]!);
    expect(paths.length).to.be.at.least(15);
    expect(paths.filter((path) => !existsSync(join(repoRoot, path)))).to.deep.equal([]);
  });

  it('the decision log records the choices that shape the system', () => {
    for (const topic of ['NATS JetStream', 'FerretDB', 'append-only log', 'Choreography', 'one authority per decision', 'Python']) {
      expect(decisions, topic).to.include(topic);
    }
  });
});
