import { createFileRegistry, fromBinary, getExtension, hasExtension, type DescMessage, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { parsePathTemplate, type PathTemplate } from './http-rule.js';

/** One google.api.http binding of an RPC, read from the descriptor set. */
export interface HttpRoute {
  service: string;
  /** Method name as in the proto, e.g. `PlaceOrder`. */
  method: string;
  /** gRPC path, e.g. `/fooddelivery.order.v1.OrderService/PlaceOrder`. */
  grpcPath: string;
  httpMethod: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  template: string;
  path: PathTemplate;
  /** `*`, a field name, or empty (no body). */
  body: string;
  input: DescMessage;
  output: DescMessage;
  serverStreaming: boolean;
}

export function descriptorRegistry(descriptorSet: Uint8Array): FileRegistry {
  return createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptorSet));
}

export function httpRoutes(registry: FileRegistry, serviceNames: string[]): HttpRoute[] {
  const httpRule = registry.getExtension('google.api.http');
  if (!httpRule) throw new Error('descriptor set lacks google/api/annotations.proto');
  const routes: HttpRoute[] = [];
  for (const serviceName of serviceNames) {
    const service = registry.getService(serviceName);
    if (!service) throw new Error(`descriptor set has no service ${serviceName}`);
    for (const method of service.methods) {
      const options = method.proto.options;
      if (!options || !hasExtension(options, httpRule)) continue;
      const rule = getExtension(options, httpRule) as HttpRuleShape;
      for (const binding of [rule, ...rule.additionalBindings]) {
        const pattern = binding.pattern;
        if (!('value' in pattern)) continue;
        routes.push({
          service: serviceName,
          method: method.name,
          grpcPath: `/${serviceName}/${method.name}`,
          httpMethod: pattern.case.toUpperCase() as HttpRoute['httpMethod'],
          template: pattern.value,
          path: parsePathTemplate(pattern.value),
          body: binding.body,
          input: method.input,
          output: method.output,
          serverStreaming: method.methodKind === 'server_streaming',
        });
      }
    }
  }
  return routes;
}

/** google.api.HttpRule as protobuf-es presents it. */
interface HttpRuleShape {
  pattern: { case: 'get' | 'put' | 'post' | 'delete' | 'patch'; value: string } | { case: 'custom' | undefined };
  body: string;
  additionalBindings: HttpRuleShape[];
}
