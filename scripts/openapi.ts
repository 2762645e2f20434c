/**
 * gen/openapi/openapi.json: the public REST API as OpenAPI 3, for the API reference (/docs/) and the
 * web app's typed client (gen/openapi/api.d.ts, by openapi-typescript). Run by scripts/generate.sh
 * after `buf generate`.
 *
 * protoc-gen-openapiv2 writes the google.api.http rules of proto/ (with the protos' comments) as
 * Swagger 2.0; swagger2openapi converts that to OpenAPI 3. Then what the rules cannot say is added
 * from where it is decided:
 *   - operations the edge does not route (envoy/envoy.yaml: ApprovePayment, RefundPayment) are left
 *     out, and those its JWT rules let through without a token get `security: []`;
 *   - server streams are server-sent events (adapters/src/rest-server.ts, Envoy's transcoder);
 *   - the `idempotency-key` header of PlaceOrder, and 503 with Retry-After (adapters/src/errors.ts).
 */
import { descriptorRegistry, httpRoutes, type HttpRoute } from '@fooddelivery/adapters/http-routes';
import { grpcRequest, readEnvoyEdge, type EnvoyEdge } from '@fooddelivery/stack/envoy-routes';
import { repoRoot } from '@fooddelivery/stack/paths';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import swagger2openapi from 'swagger2openapi';

const dir = join(repoRoot, 'gen', 'openapi');
const swaggerFile = join(dir, 'fooddelivery.swagger.json');
const openapiFile = join(dir, 'openapi.json');

type Json = Record<string, unknown>;
interface Operation extends Json {
  operationId: string;
  tags?: string[];
  parameters?: Json[];
  responses: Record<string, Json>;
  security?: unknown[];
}

const swagger = JSON.parse(readFileSync(swaggerFile, 'utf8')) as Json;
const { openapi } = (await swagger2openapi.convertObj(swagger, { patch: true, warnOnly: false })) as {
  openapi: Json & { paths: Record<string, Record<string, Operation>>; components: Json & { schemas: Record<string, Json> } };
};

const descriptor = descriptorRegistry(readFileSync(join(repoRoot, 'gen', 'descriptor.binpb')));
const edge = readEnvoyEdge();
const bindings = httpRoutes(descriptor, edge.transcodedServices);
const bindingOf = (operationId: string) => bindings.find((b) => `${b.service.split('.').pop()}_${b.method}` === operationId);

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Status' } } },
});

for (const [path, item] of Object.entries(openapi.paths)) {
  for (const [method, operation] of Object.entries(item)) {
    const binding = bindingOf(operation.operationId);
    if (!binding) throw new Error(`${method.toUpperCase()} ${path}: no google.api.http binding for ${operation.operationId}`);
    if (!routedByEdge(edge, binding)) {
      delete item[method];
      continue;
    }
    if (!edge.requiresToken(restRequest(binding))) operation.security = [];
    if (binding.serverStreaming) {
      const message = binding.output.name;
      operation.responses['200'] = {
        description:
          `A stream of server-sent events: each \`data:\` line is one ${message} as JSON. A failure after the ` +
          'stream has started comes as an `event: error` whose data is a google.rpc.Status.',
        content: { 'text/event-stream': { schema: { $ref: `#/components/schemas/${message}` } } },
      };
    }
    if (binding.method === 'PlaceOrder') {
      operation.parameters = [
        ...(operation.parameters ?? []),
        {
          name: 'idempotency-key',
          in: 'header',
          required: false,
          description:
            'Instead of the idempotencyKey field: placing again with the same key answers the first order and charges once; ' +
            'the same key for a different order answers 409.',
          schema: { type: 'string' },
        },
      ];
    }
    operation.responses['503'] = {
      ...errorResponse('Unavailable: payment is busy or down, or another dependency is not answering. Retry after Retry-After seconds.'),
      headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } },
    };
  }
  if (Object.keys(item).length === 0) delete openapi.paths[path];
}

// Every public binding must be in the document.
for (const binding of bindings.filter((b) => routedByEdge(edge, b))) {
  const path = binding.template.replace(/\{([^}=]+)[^}]*\}/g, (_, name: string) => `{${jsonName(binding, name)}}`);
  if (!openapi.paths[path]?.[binding.httpMethod.toLowerCase()])
    throw new Error(`${binding.httpMethod} ${path} is missing from the document`);
}

// Schemas only the left-out operations used go too.
const schemas = openapi.components.schemas;
const reachable = new Set<string>();
const visit = (value: unknown): void => {
  if (Array.isArray(value)) value.forEach(visit);
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const name = key === '$ref' && typeof child === 'string' ? child.replace('#/components/schemas/', '') : undefined;
      if (name !== undefined && !reachable.has(name)) {
        reachable.add(name);
        visit(schemas[name]);
      } else visit(child);
    }
  }
};
visit(openapi.paths);
for (const name of Object.keys(schemas)) if (!reachable.has(name)) delete schemas[name];

// In the protos' order: services as the edge lists them (order, payment, store, notification), RPCs as declared.
const declared = (item: Record<string, Operation>) =>
  Math.min(...Object.values(item).map((op) => bindings.indexOf(bindingOf(op.operationId)!)));
openapi.paths = Object.fromEntries(Object.entries(openapi.paths).sort(([, a], [, b]) => declared(a) - declared(b)));

const usedTags = new Set(Object.values(openapi.paths).flatMap((item) => Object.values(item).flatMap((op) => op.tags ?? [])));
const document = {
  openapi: openapi.openapi,
  info: {
    title: 'Food delivery API',
    version: 'v1',
    description: [
      'The public REST API of the food-delivery services, generated from the `google.api.http` rules and comments of the protos',
      '(`proto/`). Envoy serves it on one address, transcoding each call to gRPC; each service also serves its own paths.',
      '',
      'Calls need a JWT in `Authorization: Bearer …`, except listing stores and reading a menu. A customer acts for themselves',
      '(the token subject is the customer id), a store owner for one store. Errors are `google.rpc.Status` JSON with the HTTP',
      'status of the gRPC code; `details` holds a `google.rpc.ErrorInfo` whose `reason` is a stable code such as',
      '`ORDER.PAYMENT_DECLINED`. JSON follows the proto3 mapping: lowerCamelCase names, int64 as strings, enums as names,',
      'default values left out.',
    ].join('\n'),
  },
  // No `servers`: the API is on the origin that serves the document ("/", OpenAPI's default).
  tags: ((openapi.tags ?? []) as Array<{ name: string }>)
    .filter((tag) => usedTags.has(tag.name))
    .sort((a, b) => rank(a.name) - rank(b.name))
    .map((tag) => {
      const service = edge.transcodedServices.find((name) => name.endsWith(`.${tag.name}`));
      const comment = service ? serviceComment(service) : '';
      return comment ? { name: tag.name, description: comment } : tag;
    }),
  security: [{ bearer: [] }],
  paths: openapi.paths,
  components: {
    ...openapi.components,
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
  },
};

writeFileSync(openapiFile, `${JSON.stringify(document, null, 2)}\n`);
rmSync(swaggerFile);

/** Whether the edge sends the RPC, once transcoded, to a service (internal RPCs answer 404 there). */
function routedByEdge(edge: EnvoyEdge, binding: HttpRoute): boolean {
  return edge.firstRoute(grpcRequest(binding.grpcPath))?.route?.cluster !== undefined;
}

function restRequest(binding: HttpRoute) {
  const path = binding.template.replace(/\{[^}]+\}/g, 'sample-id');
  return { method: binding.httpMethod, path, headers: { 'content-type': 'application/json' } };
}

function rank(tag: string): number {
  return edge.transcodedServices.findIndex((name) => name.endsWith(`.${tag}`));
}

function jsonName(binding: HttpRoute, fieldName: string): string {
  return binding.input.fields.find((field) => field.name === fieldName)?.jsonName ?? fieldName;
}

function serviceComment(typeName: string): string {
  for (const file of descriptor.files) {
    const index = file.proto.service.findIndex((service) => `${file.proto.package}.${service.name}` === typeName);
    if (index < 0) continue;
    const location = file.proto.sourceCodeInfo?.location.find((loc) => loc.path.join('.') === `6.${index}`);
    return (location?.leadingComments ?? '').trim().replace(/\s*\n\s*/g, ' ');
  }
  return '';
}
