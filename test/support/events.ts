import { connectTo } from '@fooddelivery/stack/nats-access';
import { EventHeader } from '@fooddelivery/adapters/jetstream';

export interface StoredEvent {
  subject: string;
  eventId: string;
  orderId: string;
  eventType: string;
  msgId: string;
  /** The W3C trace context the event was published in. */
  traceparent: string;
  data: Uint8Array;
}

/** Every message of a stream, oldest first, read with an ordered consumer. */
export async function streamEvents(natsUrl: string, stream: string): Promise<StoredEvent[]> {
  const connection = await connectTo(natsUrl);
  try {
    const manager = await connection.jetstreamManager();
    let info;
    try {
      info = await manager.streams.info(stream);
    } catch {
      return [];
    }
    const events: StoredEvent[] = [];
    if (info.state.messages === 0) return events;
    const consumer = await connection.jetstream().consumers.get(stream);
    const messages = await consumer.consume({ max_messages: 1_000 });
    for await (const message of messages) {
      events.push({
        subject: message.subject,
        eventId: message.headers?.get(EventHeader.id) ?? '',
        orderId: message.headers?.get(EventHeader.orderId) ?? '',
        eventType: message.headers?.get(EventHeader.type) ?? '',
        msgId: message.headers?.get('Nats-Msg-Id') ?? '',
        traceparent: message.headers?.get('traceparent') ?? '',
        data: message.data,
      });
      if (message.info.pending === 0 || message.seq >= info.state.last_seq) break;
    }
    await messages.close();
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
