import { requestRules } from '@fooddelivery/kernel/request-rules';
import { NotificationError } from '../domain/notification.errors.js';

export const { requireId, pageSize } = requestRules('NOTIFICATION', NotificationError);
