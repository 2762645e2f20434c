import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type DescriptorProto, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

interface ReflectionRequest {
  host?: string;
  message_request?:
    | 'file_by_filename'
    | 'file_containing_symbol'
    | 'file_containing_extension'
    | 'all_extension_numbers_of_type'
    | 'list_services';
  file_by_filename?: string;
  file_containing_symbol?: string;
  list_services?: string;
  all_extension_numbers_of_type?: string;
}

/**
 * gRPC server reflection (v1 and v1alpha) that answers with the descriptor set's own
 * FileDescriptorProtos, so clients such as grpcurl resolve types across packages exactly as
 * compiled. (@grpc/reflection re-derives files per package, which loses cross-package imports.)
 */
export function addReflection(server: grpc.Server, descriptorSet: Uint8Array, serviceNames: string[]): void {
  const files = fromBinary(FileDescriptorSetSchema, descriptorSet).file;
  const byName = new Map(files.map((file) => [file.name, file]));
  const bySymbol = new Map<string, string>();
  for (const file of files) for (const symbol of symbolsOf(file)) bySymbol.set(symbol, file.name);

  const withDependencies = (name: string): Buffer[] => {
    const seen = new Set<string>();
    const visit = (fileName: string) => {
      if (seen.has(fileName)) return;
      seen.add(fileName);
      for (const dependency of byName.get(fileName)?.dependency ?? []) visit(dependency);
    };
    visit(name);
    return [...seen].map((fileName) => Buffer.from(toBinary(FileDescriptorProtoSchema, byName.get(fileName)!)));
  };

  const answer = (request: ReflectionRequest) => {
    const base = { valid_host: request.host ?? '', original_request: request };
    const notFound = (what: string) => ({
      ...base,
      error_response: { error_code: grpc.status.NOT_FOUND, error_message: `${what} not found` },
    });
    switch (request.message_request) {
      case 'list_services':
        return { ...base, list_services_response: { service: serviceNames.map((name) => ({ name })) } };
      case 'file_by_filename': {
        const name = request.file_by_filename ?? '';
        return byName.has(name)
          ? { ...base, file_descriptor_response: { file_descriptor_proto: withDependencies(name) } }
          : notFound(`file ${name}`);
      }
      case 'file_containing_symbol': {
        const file = bySymbol.get(request.file_containing_symbol ?? '');
        return file
          ? { ...base, file_descriptor_response: { file_descriptor_proto: withDependencies(file) } }
          : notFound(`symbol ${request.file_containing_symbol}`);
      }
      case 'all_extension_numbers_of_type':
        return { ...base, all_extension_numbers_response: { base_type_name: request.all_extension_numbers_of_type, extension_number: [] } };
      default:
        return { ...base, error_response: { error_code: grpc.status.UNIMPLEMENTED, error_message: 'not supported' } };
    }
  };

  const protoRoot = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json')), 'build', 'proto');
  for (const version of ['v1', 'v1alpha']) {
    const definition = loadSync(`grpc/reflection/${version}/reflection.proto`, {
      includeDirs: [protoRoot],
      keepCase: true,
      oneofs: true,
      defaults: false,
    });
    const service = definition[`grpc.reflection.${version}.ServerReflection`] as grpc.ServiceDefinition;
    server.addService(service, {
      ServerReflectionInfo: (call: grpc.ServerDuplexStream<ReflectionRequest, unknown>) => {
        call.on('data', (request: ReflectionRequest) => call.write(answer(request)));
        call.on('end', () => call.end());
      },
    });
  }
}

function symbolsOf(file: FileDescriptorProto): string[] {
  const prefix = file.package ? `${file.package}.` : '';
  const symbols: string[] = [];
  const addMessage = (message: DescriptorProto, scope: string) => {
    const name = `${scope}${message.name}`;
    symbols.push(name);
    for (const nested of message.nestedType) addMessage(nested, `${name}.`);
    for (const nestedEnum of message.enumType) symbols.push(`${name}.${nestedEnum.name}`);
    for (const extension of message.extension) symbols.push(`${name}.${extension.name}`);
  };
  for (const message of file.messageType) addMessage(message, prefix);
  for (const enumType of file.enumType) symbols.push(`${prefix}${enumType.name}`);
  for (const extension of file.extension) symbols.push(`${prefix}${extension.name}`);
  for (const service of file.service) {
    symbols.push(`${prefix}${service.name}`);
    for (const method of service.method) symbols.push(`${prefix}${service.name}.${method.name}`);
  }
  return symbols;
}
