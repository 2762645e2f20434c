import { requestRules } from '@fooddelivery/kernel/request-rules';

export const { requireId, optionalText, pageSize } = requestRules('STORE');
