import { requestRules } from '@fooddelivery/kernel/request-rules';
import { StoreOrderError } from '../domain/store-order.errors.js';

export const { requireId, optionalText, pageSize } = requestRules('STORE', StoreOrderError);
