import { customerFor, type Actor } from './actor.js';
import type { NotificationPage, NotificationRepository } from './ports.js';
import { pageSize, requireId } from './validation.js';

/** The messages a customer was sent (or is still to be sent), newest first, with their delivery state. */
export class ListNotifications {
  constructor(private readonly notifications: NotificationRepository) {}

  async execute(actor: Actor, customerId: string, size: number, pageToken: string): Promise<NotificationPage> {
    return this.notifications.listByCustomer(
      requireId('customer_id', customerFor(actor, customerId)),
      pageSize(size),
      pageToken || undefined,
    );
  }
}
