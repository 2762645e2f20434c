import type { NotificationPage, NotificationRepository } from './ports.js';
import { pageSize, requireId } from './validation.js';

/** The messages a customer was sent (or is still to be sent), newest first, with their delivery state. */
export class ListNotifications {
  constructor(private readonly notifications: NotificationRepository) {}

  execute(customerId: string, size: number, pageToken: string): Promise<NotificationPage> {
    return this.notifications.listByCustomer(requireId('customer_id', customerId), pageSize(size), pageToken || undefined);
  }
}
