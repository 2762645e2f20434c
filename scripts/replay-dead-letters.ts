/**
 * The dead letters: events a consumer gave up on, with the reason. Lists them; with --replay,
 * publishes them back to their subjects (once the cause of their failure is fixed), all of them or
 * those of one consumer.
 */
import { DEAD_LETTER_STREAM, DeadLetterHeader, EventHeader, replayDeadLetters } from '@fooddelivery/adapters/jetstream';
import { connectTo, localOpsUrl } from '@fooddelivery/stack/nats-access';
import { parseArgs } from 'node:util';

const usage = `usage: npm run -s replay-dead-letters -- [--replay] [--consumer <durable>] [--nats-url <url>]

  (no flag)    list the dead letters ("no dead letters" when there are none)
  --replay     publish them back to their subjects, then remove them from the dead letters
  --consumer   only those of one consumer, e.g. store-follow-orders
  --nats-url   the NATS server, with credentials that may read every stream; default: NATS_OPS_URL,
               else the running \`npm start\`'s operator URL (.data/nats-identities/ops.url)`;

const { values } = parseArgs({
  options: {
    consumer: { type: 'string' },
    'nats-url': { type: 'string' },
    replay: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const url = values['nats-url'] ?? process.env.NATS_OPS_URL ?? localOpsUrl() ?? 'nats://127.0.0.1:4222';
const connection = await connectTo(url, { maxReconnectAttempts: 0 }).catch((error: unknown) => {
  console.error(`cannot reach NATS at ${url.replace(/\/\/[^@]*@/, '//')}: ${(error as Error).message}`);
  process.exit(1);
});
try {
  if (values.replay) {
    const replayed = await replayDeadLetters(connection, values.consumer);
    console.log(`replayed ${replayed} dead-lettered event(s)${values.consumer ? ` of ${values.consumer}` : ''}`);
  } else {
    const manager = await connection.jetstreamManager();
    const state = await manager.streams
      .info(DEAD_LETTER_STREAM)
      .then((info) => info.state)
      .catch(() => undefined);
    let listed = 0;
    for (let seq = state?.first_seq ?? 1; state && state.messages > 0 && seq <= state.last_seq; seq++) {
      const letter = await manager.streams.getMessage(DEAD_LETTER_STREAM, { seq }).catch(() => undefined);
      if (!letter) continue;
      const header = (name: string) => letter.header.get(name);
      if (values.consumer && header(DeadLetterHeader.consumer) !== values.consumer) continue;
      listed++;
      console.log(
        `${seq}\t${header(DeadLetterHeader.consumer)}\t${header(DeadLetterHeader.subject)}\torder ${header(EventHeader.orderId)}\t` +
          `after ${header(DeadLetterHeader.deliveries)} deliveries: ${header(DeadLetterHeader.reason)}`,
      );
    }
    console.log(listed === 0 ? 'no dead letters' : `${listed} dead letter(s); replay them with --replay once their cause is fixed`);
  }
} finally {
  await connection.close();
}
