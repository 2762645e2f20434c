/*
 * The REST API reference (gen/openapi/openapi.json, made by scripts/generate.sh from the protos'
 * google.api.http rules and comments): it documents what the edge serves, and every RPC and field
 * it shows has a comment in proto/.
 */
import { descriptorRegistry, httpRoutes } from '@fooddelivery/adapters/http-routes';
import { grpcRequest, readEnvoyEdge } from '@fooddelivery/stack/envoy-routes';
import { repoRoot } from '@fooddelivery/stack/paths';
import type { DescMessage } from '@bufbuild/protobuf';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Operation {
  operationId: string;
  summary?: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
}
interface Document {
  openapi: string;
  info: { title: string };
  security: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, { description?: string }> }>; securitySchemes: object };
}

describe('REST API reference (gen/openapi/openapi.json)', () => {
  const registry = descriptorRegistry(readFileSync(join(repoRoot, 'gen', 'descriptor.binpb')));
  const document = JSON.parse(readFileSync(join(repoRoot, 'gen', 'openapi', 'openapi.json'), 'utf8')) as Document;
  const edge = readEnvoyEdge();
  const bindings = httpRoutes(registry, edge.transcodedServices);
  const routed = (grpcPath: string) => edge.firstRoute(grpcRequest(grpcPath))?.route?.cluster !== undefined;
  const operationOf = (template: string, method: string, input: DescMessage) => {
    const path = template.replace(/\{([^}=]+)[^}]*\}/g, (_, name: string) => `{${input.fields.find((f) => f.name === name)?.jsonName}}`);
    return document.paths[path]?.[method.toLowerCase()];
  };

  it('is OpenAPI 3 with a bearer JWT scheme required by default', () => {
    expect(document.openapi).to.match(/^3\./);
    expect(document.info.title).to.equal('Food delivery API');
    expect(document.components.securitySchemes).to.deep.equal({ bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } });
    expect(document.security).to.deep.equal([{ bearer: [] }]);
  });

  it('lists every REST binding the edge routes, and no other', () => {
    const publicBindings = bindings.filter((binding) => routed(binding.grpcPath));
    expect(publicBindings).to.have.length.greaterThan(10);
    for (const binding of bindings) {
      const operation = operationOf(binding.template, binding.httpMethod, binding.input);
      if (routed(binding.grpcPath)) expect(operation, `${binding.httpMethod} ${binding.template}`).to.not.equal(undefined);
      else expect(operation, `${binding.httpMethod} ${binding.template} is internal`).to.equal(undefined);
    }
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item));
    expect(operations).to.have.length(publicBindings.length);
    for (const internal of ['ApprovePaymentRequest', 'RefundPaymentBody'])
      expect(document.components.schemas).to.not.have.property(internal);
  });

  it('needs no token exactly where the edge asks for none (ListStores, GetMenu)', () => {
    for (const binding of bindings.filter((b) => routed(b.grpcPath))) {
      const operation = operationOf(binding.template, binding.httpMethod, binding.input)!;
      const anonymous = ['ListStores', 'GetMenu'].includes(binding.method);
      expect(operation.security, binding.method).to.deep.equal(anonymous ? [] : undefined);
    }
  });

  it('describes WatchOrder as server-sent events, PlaceOrder with its idempotency-key header, and 503 with Retry-After', () => {
    const watch = document.paths['/v1/orders/{orderId}/tracking:watch']!.get!;
    expect(watch.responses['200']!.content).to.have.all.keys('text/event-stream');
    const place = document.paths['/v1/orders']!.post!;
    const header = place.parameters?.find((parameter) => parameter.name === 'idempotency-key');
    expect(header).to.include({ in: 'header', required: false });
    for (const item of Object.values(document.paths)) {
      for (const operation of Object.values(item))
        expect(operation.responses['503']?.headers, operation.operationId).to.have.key('Retry-After');
    }
  });

  it('has a comment in proto/ for every public RPC and every field of the messages it shows', () => {
    const missing: string[] = [];
    const seen = new Set<string>();
    const visit = (message: DescMessage) => {
      if (seen.has(message.typeName) || !message.typeName.startsWith('fooddelivery.')) return;
      seen.add(message.typeName);
      for (const field of message.fields) {
        if (!comment(message.file.proto.sourceCodeInfo, fieldPath(message, field.number)))
          missing.push(`field ${message.typeName}.${field.name}`);
        if (field.message) visit(field.message);
      }
    };
    for (const binding of bindings.filter((b) => routed(b.grpcPath))) {
      const service = registry.getService(binding.service)!;
      const index = service.methods.findIndex((method) => method.name === binding.method);
      const servicePath = [6, service.file.proto.service.findIndex((s) => s.name === service.name)];
      if (!comment(service.file.proto.sourceCodeInfo, [...servicePath, 2, index])) missing.push(`rpc ${binding.grpcPath}`);
      visit(binding.input);
      visit(binding.output);
    }
    expect(seen.size).to.be.greaterThan(20);
    expect(missing).to.deep.equal([]);
  });
});

type SourceInfo = { location: Array<{ path: number[]; leadingComments: string }> } | undefined;

function comment(info: SourceInfo, path: number[]): string {
  return info?.location.find((location) => location.path.join('.') === path.join('.'))?.leadingComments.trim() ?? '';
}

/** The source-info path of a field: [4, message index, (3, nested index)…, 2, field index]. */
function fieldPath(message: DescMessage, fieldNumber: number): number[] {
  const chain: DescMessage[] = [];
  for (let current: DescMessage | undefined = message; current; current = current.parent) chain.unshift(current);
  const [top, ...nested] = chain;
  const path = [4, message.file.proto.messageType.findIndex((m) => m.name === top!.name)];
  let parent = top!;
  for (const child of nested) {
    path.push(
      3,
      parent.proto.nestedType.findIndex((m) => m.name === child.name),
    );
    parent = child;
  }
  return [...path, 2, message.proto.field.findIndex((f) => f.number === fieldNumber)];
}
