import type { Logger } from '@fooddelivery/adapters/logger';
import type { Notifier, OutgoingMessage } from '../../application/ports.js';

/** The default channel: messages are written to the log, for development and for running without a provider. */
export class LogNotifier implements Notifier {
  readonly channel = 'log';

  constructor(private readonly logger: Logger) {}

  async send(message: OutgoingMessage): Promise<void> {
    this.logger.info({ notificationId: message.notificationId, recipient: message.recipient, text: message.text }, 'message to customer');
  }
}
