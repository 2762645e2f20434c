import type { Logger } from '@fooddelivery/adapters/logger.js';
import type { Metrics } from '@fooddelivery/adapters/metrics.js';
import { PaymentStatus } from '@fooddelivery/gen/fooddelivery/payment/v1/payment.js';
import {
  PaymentServiceClient,
  type ApprovePaymentRequest,
  type ApprovePaymentResponse,
} from '@fooddelivery/gen/fooddelivery/payment/v1/payment_service.js';
import { credentials, Metadata, status } from '@grpc/grpc-js';
import type CircuitBreaker from 'opossum';
import { paymentTermsConflict, paymentUnavailable } from '../../domain/order.errors.js';
import type { PaymentGateway, PaymentOutcome, PaymentRequest } from '../../application/ports.js';
import { createPaymentBreaker, type BreakerSettings } from './payment-circuit-breaker.js';

const callerFaults = new Set([
  status.INVALID_ARGUMENT,
  status.FAILED_PRECONDITION,
  status.NOT_FOUND,
  status.PERMISSION_DENIED,
  status.UNAUTHENTICATED,
]);

/**
 * Only answers that say payment itself is unhealthy count against it: no answer in time, not
 * reachable, or a broken transport (no gRPC code). Whatever a request causes (bad input, a
 * conflict, an INTERNAL from one odd request) and "busy" (payment at capacity refuses at once:
 * opening the circuit would only block the capacity it does have) leave the circuit alone, so
 * one customer cannot open it for everyone.
 */
function saysPaymentIsUnhealthy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ETIMEDOUT' || code === status.DEADLINE_EXCEEDED || code === status.UNAVAILABLE || typeof code !== 'number';
}

/**
 * PaymentService over gRPC: one client reused, a deadline on every call, approvals behind a
 * breaker and an admission limit. The limit learns payment's capacity from its "busy" answers
 * (the approvals this replica had in flight when payment said it was full), so further orders
 * are refused at once, before any I/O, instead of each costing a database write and a call;
 * every approval that completes raises it a little again.
 */
export class GrpcPaymentGateway implements PaymentGateway {
  private readonly client: PaymentServiceClient;
  private readonly approveBreaker: CircuitBreaker<[ApprovePaymentRequest], ApprovePaymentResponse>;
  private inFlight = 0;
  private limit = Number.POSITIVE_INFINITY;
  private readonly limitGauge;

  constructor(
    address: string,
    private readonly authToken: string,
    private readonly settings: BreakerSettings,
    logger: Logger,
    metrics: Metrics,
  ) {
    this.client = new PaymentServiceClient(address, credentials.createInsecure(), {
      'grpc.keepalive_time_ms': 30_000,
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2_000,
    });
    this.approveBreaker = createPaymentBreaker(
      (request: ApprovePaymentRequest) => this.callApprove(request),
      settings,
      (error) => !saysPaymentIsUnhealthy(error),
      logger,
      metrics,
    );
    this.limitGauge = metrics.gauge('payment_admission_limit', 'Approvals this replica sends to payment at once (0: not limited)');
    this.limitGauge.set(0);
  }

  refusesNow(): { reason: string; retryAfterSeconds: number } | undefined {
    if (this.approveBreaker.opened)
      return { reason: 'circuit open', retryAfterSeconds: Math.max(1, Math.ceil(this.settings.resetTimeoutMs / 1000)) };
    if (this.inFlight >= this.limit) return { reason: 'busy', retryAfterSeconds: 1 };
    return undefined;
  }

  async approve(request: PaymentRequest): Promise<PaymentOutcome> {
    let response: ApprovePaymentResponse;
    this.inFlight++;
    try {
      response = await this.approveBreaker.fire({
        orderId: request.orderId,
        customerId: request.customerId,
        amount: request.amount,
        cardToken: request.cardToken,
        storeId: request.storeId,
        items: request.items,
        deliveryAddress: request.deliveryAddress,
      });
      this.admitted(true);
    } catch (error) {
      this.admitted((error as { code?: unknown }).code !== status.RESOURCE_EXHAUSTED);
      throw this.unavailable(error);
    } finally {
      this.inFlight--;
    }
    const payment = response.payment;
    if (payment?.status === PaymentStatus.PAYMENT_STATUS_APPROVED) return { approved: true, paymentId: payment.paymentId };
    return { approved: false, reason: payment?.statusReason || 'declined by the payment provider' };
  }

  /** Busy: payment is full with what is in flight now (this call included). Otherwise: a little more next time. */
  private admitted(taken: boolean): void {
    if (!taken) this.limit = Math.min(this.limit, Math.max(1, this.inFlight - 1));
    else if (Number.isFinite(this.limit)) this.limit = this.limit >= 10_000 ? Number.POSITIVE_INFINITY : this.limit + 1 / this.limit;
    this.limitGauge.set(Number.isFinite(this.limit) ? this.limit : 0);
  }

  refund(orderId: string, reason: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.refundPayment({ orderId, reason }, this.metadata(), { deadline: Date.now() + this.settings.timeoutMs * 2 }, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  }

  close(): void {
    this.approveBreaker.shutdown();
    this.client.close();
  }

  private callApprove(request: ApprovePaymentRequest): Promise<ApprovePaymentResponse> {
    return new Promise((resolve, reject) => {
      this.client.approvePayment(request, this.metadata(), { deadline: Date.now() + this.settings.timeoutMs }, (error, response) =>
        error ? reject(error) : resolve(response),
      );
    });
  }

  private metadata(): Metadata {
    const metadata = new Metadata();
    if (this.authToken) metadata.set('authorization', `Bearer ${this.authToken}`);
    return metadata;
  }

  private unavailable(error: unknown): Error {
    const retryAfterSeconds = Math.max(1, Math.ceil(this.settings.resetTimeoutMs / 1000));
    const grpcError = error as { code?: unknown; details?: unknown };
    if (grpcError.code === 'EOPENBREAKER') return paymentUnavailable('circuit open', retryAfterSeconds);
    if (grpcError.code === 'ETIMEDOUT' || grpcError.code === status.DEADLINE_EXCEEDED)
      return paymentUnavailable('timed out', retryAfterSeconds, true);
    if (grpcError.code === status.RESOURCE_EXHAUSTED) return paymentUnavailable('busy', 1);
    if (grpcError.code === status.ALREADY_EXISTS) return paymentTermsConflict();
    if (typeof grpcError.code === 'number' && callerFaults.has(grpcError.code)) {
      // Payment rejected what we sent: our request was malformed, not a payment outage.
      return error instanceof Error ? error : new Error(String(error));
    }
    // UNAVAILABLE before the call reached payment (no connection) charged nothing; a dropped
    // connection mid-call may have.
    const unreachable = grpcError.code === status.UNAVAILABLE && /No connection established|ECONNREFUSED/.test(String(grpcError.details));
    if (unreachable) return paymentUnavailable('not reachable', retryAfterSeconds);
    return paymentUnavailable('no answer', retryAfterSeconds, true);
  }
}
