import { addLogContext } from '@fooddelivery/adapters/logger';
import { bindService, caller, type ServiceBinding } from '@fooddelivery/adapters/rpc';
import type { Money as WireMoney } from '@fooddelivery/gen/fooddelivery/common/v1/money';
import { PaymentStatus as WireStatus, type Payment as WirePayment } from '@fooddelivery/gen/fooddelivery/payment/v1/payment';
import { PaymentServiceService } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_service';
import type { Money } from '../../domain/money.js';
import type { Payment, PaymentStatus } from '../../domain/payment.js';
import type { ApprovePayment } from '../../application/approve-payment.js';
import type { GetPayment } from '../../application/get-payment.js';
import type { RefundPayment } from '../../application/refund-payment.js';

export interface PaymentUseCases {
  approvePayment: ApprovePayment;
  refundPayment: RefundPayment;
  getPayment: GetPayment;
}

/** PaymentService for gRPC and REST alike: generated types in, use cases, generated types out. */
export function paymentServiceBinding(useCases: PaymentUseCases): ServiceBinding {
  return bindService(PaymentServiceService, {
    approvePayment: async (request, context) => {
      addLogContext({ orderId: request.orderId });
      const payment = await useCases.approvePayment.execute(
        caller(context),
        {
          orderId: request.orderId,
          customerId: request.customerId,
          amount: money(request.amount),
          cardToken: request.cardToken,
          storeId: request.storeId,
          items: request.items.map((item) => ({
            menuItemId: item.menuItemId,
            name: item.name,
            quantity: item.quantity,
            unitPrice: money(item.unitPrice),
            lineTotal: money(item.lineTotal),
          })),
          deliveryAddress: request.deliveryAddress,
        },
        context.signal,
      );
      return { payment: toWirePayment(payment) };
    },
    refundPayment: async (request, context) => {
      addLogContext({ orderId: request.orderId });
      return { payment: toWirePayment(await useCases.refundPayment.execute(caller(context), request.orderId, request.reason)) };
    },
    getPayment: async (request, context) => {
      addLogContext({ orderId: request.orderId });
      return { payment: toWirePayment(await useCases.getPayment.execute(caller(context), request.orderId)) };
    },
  });
}

/** An absent Money reads as proto3's zero value, which validation then names. */
function money(wire: WireMoney | undefined): Money {
  return { currencyCode: wire?.currencyCode ?? '', amountMinor: wire?.amountMinor ?? 0 };
}

const wireStatus: Record<PaymentStatus, WireStatus> = {
  approved: WireStatus.PAYMENT_STATUS_APPROVED,
  declined: WireStatus.PAYMENT_STATUS_DECLINED,
  refunded: WireStatus.PAYMENT_STATUS_REFUNDED,
};

function toWirePayment(payment: Payment): WirePayment {
  const state = payment.snapshot();
  return {
    paymentId: state.paymentId,
    orderId: state.orderId,
    customerId: state.customerId,
    amount: state.amount,
    status: wireStatus[state.status],
    statusReason: state.statusReason,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}
