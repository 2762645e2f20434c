import { InterceptingCall, ListenerBuilder, RequesterBuilder, status, type Interceptor } from '@grpc/grpc-js';
import { currentLogContext } from './logger.js';
import { clientSpan } from './tracing.js';

/**
 * A grpc-js client interceptor: each call is a client span of the running trace, and carries it
 * (traceparent) and the request id (x-request-id) of the call being handled to the service called.
 */
export const tracingInterceptor: Interceptor = (options, nextCall) => {
  const path = options.method_definition.path;
  const span = clientSpan(path.slice(1), { 'rpc.system': 'grpc', 'rpc.method': path.slice(path.lastIndexOf('/') + 1) });
  const { requestId } = currentLogContext();
  const requester = new RequesterBuilder()
    .withStart((metadata, _listener, next) => {
      for (const [key, value] of Object.entries(span.headers())) metadata.set(key, value);
      if (requestId && metadata.get('x-request-id').length === 0) metadata.set('x-request-id', requestId);
      const ending = new ListenerBuilder()
        .withOnReceiveStatus((received, nextStatus) => {
          span.setAttributes({ 'rpc.grpc.status_code': received.code });
          span.end(received.code === status.OK ? undefined : `${status[received.code]}: ${received.details}`);
          nextStatus(received);
        })
        .build();
      next(metadata, ending);
    })
    .build();
  return new InterceptingCall(nextCall(options), requester);
};
