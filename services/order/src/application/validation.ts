import { requestRules } from '@fooddelivery/kernel/request-rules';
import { OrderError } from '../domain/order.errors.js';

export const { requireId, requireText, optionalText, pageSize } = requestRules('ORDER', OrderError);
