import { tracingInterceptor } from '@fooddelivery/adapters/grpc-client-tracing.js';
import type { Logger } from '@fooddelivery/adapters/logger.js';
import type { Metrics } from '@fooddelivery/adapters/metrics.js';
import { PaymentStatus } from '@fooddelivery/gen/fooddelivery/payment/v1/payment.js';
import {
  PaymentServiceClient,
  type ApprovePaymentRequest,
  type ApprovePaymentResponse,
} from '@fooddelivery/gen/fooddelivery/payment/v1/payment_service.js';
import { Metadata, status, type ChannelCredentials } from '@grpc/grpc-js';
import type CircuitBreaker from 'opossum';
import { paymentTermsConflict, paymentUnavailable } from '../../domain/order.errors.js';
import type { PaymentGateway, PaymentOutcome, PaymentRequest } from '../../application/ports.js';
import { PaymentAdmission } from './payment-admission.js';
import { createPaymentBreaker, type BreakerSettings } from './payment-circuit-breaker.js';

const PAYMENT_SERVICE = 'fooddelivery.payment.v1.PaymentService';

/** The gRPC status a client call ended with; a broken transport (no code) counts as UNKNOWN. */
function codeOf(error: { code?: unknown } | null): number {
  if (!error) return status.OK;
  return typeof error.code === 'number' ? error.code : status.UNKNOWN;
}

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
 * PaymentService over gRPC: one client reused, a deadline on every call (the budget left after
 * any wait for room at payment), approvals behind a breaker and an admission limit learnt from
 * payment's own "busy" answers (PaymentAdmission).
 */
export class GrpcPaymentGateway implements PaymentGateway {
  private readonly client: PaymentServiceClient;
  private readonly approveBreaker: CircuitBreaker<[ApprovePaymentRequest, number], ApprovePaymentResponse>;
  private readonly admission: PaymentAdmission;

  constructor(
    address: string,
    channel: ChannelCredentials,
    /** The bearer token to send now (it may be rotated while the service runs); empty sends none. */
    private readonly authToken: () => string,
    private readonly settings: BreakerSettings,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    this.client = new PaymentServiceClient(address, channel, {
      // Calls spread over every address the target resolves to (payment's replicas), not the first one only.
      'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2_000,
      interceptors: [tracingInterceptor],
    });
    this.approveBreaker = createPaymentBreaker(
      (request: ApprovePaymentRequest, deadline: number) => this.callApprove(request, deadline),
      settings,
      (error) => !saysPaymentIsUnhealthy(error),
      logger,
      metrics,
    );
    const limitGauge = metrics.gauge('payment_admission_limit', 'Approvals this replica sends to payment at once (0: not limited)');
    limitGauge.set(0);
    this.admission = new PaymentAdmission(settings.timeoutMs, (limit) => limitGauge.set(Number.isFinite(limit) ? limit : 0));
  }

  refusesNow(): { reason: string; retryAfterSeconds: number } | undefined {
    if (this.approveBreaker.opened)
      return { reason: 'circuit open', retryAfterSeconds: Math.max(1, Math.ceil(this.settings.resetTimeoutMs / 1000)) };
    if (this.admission.isFull()) return { reason: 'busy', retryAfterSeconds: 1 };
    return undefined;
  }

  async approve(request: PaymentRequest): Promise<PaymentOutcome> {
    let response: ApprovePaymentResponse;
    const budgetLeftMs = await this.admission.enter();
    const started = Date.now();
    try {
      response = await this.approveBreaker.fire(
        {
          orderId: request.orderId,
          customerId: request.customerId,
          amount: request.amount,
          cardToken: request.cardToken,
          storeId: request.storeId,
          items: request.items,
          deliveryAddress: request.deliveryAddress,
        },
        started + budgetLeftMs,
      );
      this.admission.leave({ busy: false, tookMs: Date.now() - started });
    } catch (error) {
      this.admission.leave({ busy: (error as { code?: unknown }).code === status.RESOURCE_EXHAUSTED });
      throw this.unavailable(error);
    }
    const payment = response.payment;
    if (payment?.status === PaymentStatus.PAYMENT_STATUS_APPROVED) return { approved: true, paymentId: payment.paymentId };
    return { approved: false, reason: payment?.statusReason || 'declined by the payment provider' };
  }

  refund(orderId: string, reason: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const handled = this.metrics.clientStarted(PAYMENT_SERVICE, 'RefundPayment');
      this.client.refundPayment({ orderId, reason }, this.metadata(), { deadline: Date.now() + this.settings.timeoutMs * 2 }, (error) => {
        handled(codeOf(error));
        if (error) reject(error);
        else resolve();
      });
    });
  }

  close(): void {
    this.approveBreaker.shutdown();
    this.client.close();
  }

  private callApprove(request: ApprovePaymentRequest, deadline: number): Promise<ApprovePaymentResponse> {
    return new Promise((resolve, reject) => {
      const handled = this.metrics.clientStarted(PAYMENT_SERVICE, 'ApprovePayment');
      this.client.approvePayment(request, this.metadata(), { deadline }, (error, response) => {
        handled(codeOf(error));
        if (error) reject(error);
        else resolve(response);
      });
    });
  }

  private metadata(): Metadata {
    const metadata = new Metadata();
    const token = this.authToken();
    if (token) metadata.set('authorization', `Bearer ${token}`);
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
    if (grpcError.code === status.UNAUTHENTICATED || grpcError.code === status.PERMISSION_DENIED) {
      // Payment refused this service's token: a deployment fault (PAYMENT_AUTH_TOKEN_FILE), not the customer's.
      this.logger.error(
        { err: String(grpcError.details) },
        "payment refused the order service's credentials: check PAYMENT_AUTH_TOKEN_FILE",
      );
      return paymentUnavailable("payment refused the order service's credentials", retryAfterSeconds);
    }
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
