import { OrderServiceClient } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { PaymentServiceClient } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_service';
import { StoreServiceClient } from '@fooddelivery/gen/fooddelivery/store/v1/store_service';
import { TrackingServiceClient } from '@fooddelivery/gen/fooddelivery/notification/v1/tracking_service';
import { credentials, Metadata, type CallOptions, type ServiceError } from '@grpc/grpc-js';

type Callback<Res> = (error: ServiceError | null, response: Res) => void;
export type UnaryMethod<Req, Res> = (request: Req, metadata: Metadata, options: Partial<CallOptions>, callback: Callback<Res>) => unknown;

/** Promise form of a generated unary method, with a deadline. */
export function call<Req, Res>(
  method: UnaryMethod<Req, Res>,
  request: Req,
  options: { timeoutMs?: number; metadata?: Record<string, string> } = {},
): Promise<Res> {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
  return new Promise((resolve, reject) => {
    method(request, metadata, { deadline: Date.now() + (options.timeoutMs ?? 10_000) }, (error, response) =>
      error ? reject(error) : resolve(response),
    );
  });
}

/** The gRPC error a call failed with (fails the test if it succeeded). */
export async function grpcError(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail');
}

export function clients(addresses: { order?: string; payment?: string; store?: string; notification?: string }) {
  const insecure = credentials.createInsecure();
  const order = addresses.order ? new OrderServiceClient(addresses.order, insecure) : undefined;
  const payment = addresses.payment ? new PaymentServiceClient(addresses.payment, insecure) : undefined;
  const store = addresses.store ? new StoreServiceClient(addresses.store, insecure) : undefined;
  const tracking = addresses.notification ? new TrackingServiceClient(addresses.notification, insecure) : undefined;
  return {
    order: order!,
    payment: payment!,
    store: store!,
    tracking: tracking!,
    close() {
      for (const client of [order, payment, store, tracking]) client?.close();
    },
  };
}
