/**
 * Publishes dead-lettered events back to their subjects, once the cause of their failure is fixed.
 *
 *   npm run -s replay-dead-letters -- [--consumer store-receive-paid-order] [--nats-url nats://127.0.0.1:4222] [--list]
 */
import { DEAD_LETTER_STREAM, DeadLetterHeader, EventHeader, replayDeadLetters } from '@fooddelivery/adapters/jetstream';
import { connect } from 'nats';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    consumer: { type: 'string' },
    'nats-url': { type: 'string', default: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' },
    list: { type: 'boolean', default: false },
  },
});

const connection = await connect({ servers: values['nats-url'] });
try {
  if (values.list) {
    const manager = await connection.jetstreamManager();
    const { state } = await manager.streams.info(DEAD_LETTER_STREAM);
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      const letter = await manager.streams.getMessage(DEAD_LETTER_STREAM, { seq }).catch(() => undefined);
      if (!letter) continue;
      const header = (name: string) => letter.header.get(name);
      console.log(
        `${seq}\t${header(DeadLetterHeader.consumer)}\t${header(DeadLetterHeader.subject)}\torder ${header(EventHeader.orderId)}\t` +
          `after ${header(DeadLetterHeader.deliveries)} deliveries: ${header(DeadLetterHeader.reason)}`,
      );
    }
  } else {
    const replayed = await replayDeadLetters(connection, values.consumer);
    console.log(`replayed ${replayed} dead-lettered event(s)${values.consumer ? ` of ${values.consumer}` : ''}`);
  }
} finally {
  await connection.close();
}
