import { requestRules } from '@fooddelivery/kernel/request-rules';

export const { requireId, pageSize } = requestRules('NOTIFICATION');
