import { EventHeader } from '@fooddelivery/adapters/jetstream';
import { connect } from 'nats';

export interface StoredEvent {
  subject: string;
  eventId: string;
  orderId: string;
  eventType: string;
  msgId: string;
  data: Uint8Array;
}

/** Every message of a stream, oldest first, read by sequence (test streams are small). */
export async function streamEvents(natsUrl: string, stream: string): Promise<StoredEvent[]> {
  const connection = await connect({ servers: natsUrl });
  try {
    const manager = await connection.jetstreamManager();
    let info;
    try {
      info = await manager.streams.info(stream);
    } catch {
      return [];
    }
    const events: StoredEvent[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const message = await manager.streams.getMessage(stream, { seq }).catch(() => undefined);
      if (!message) continue;
      events.push({
        subject: message.subject,
        eventId: message.header.get(EventHeader.id),
        orderId: message.header.get(EventHeader.orderId),
        eventType: message.header.get(EventHeader.type),
        msgId: message.header.get('Nats-Msg-Id'),
        data: message.data,
      });
    }
    return events;
  } finally {
    await connection.close();
  }
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
