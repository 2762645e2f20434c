import { requestRules } from '@fooddelivery/kernel/request-rules';
import { PaymentError } from '../domain/payment.errors.js';

export const { requireId, requireText, optionalText } = requestRules('PAYMENT', PaymentError);
