import { requestRules } from '@fooddelivery/kernel/request-rules';

export const { requireId, requireText, optionalText, pageSize } = requestRules('ORDER');
