import type { JetStreamManager } from 'nats';
import type { TrackingBacklog } from '../../application/ports.js';

const pollEveryMs = 50;

/**
 * Whether the tracking view holds every order placed so far: the shared durable that creates
 * trackings (notification-track-orders) has acknowledged the last OrderPlaced the stream held
 * when asked. Two JetStream API requests when the view is not behind.
 */
export class JetStreamTrackingBacklog implements TrackingBacklog {
  constructor(
    private readonly jsm: JetStreamManager,
    private readonly consumer: { stream: string; durable: string; subject: string },
  ) {}

  async caughtUp(maxWaitMs: number, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    const target = await this.lastPlaced();
    if (target === 0) return;
    while (!signal.aborted && Date.now() < deadline) {
      const info = await this.jsm.consumers.info(this.consumer.stream, this.consumer.durable).catch(() => undefined);
      if (!info || info.ack_floor.stream_seq >= target) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollEveryMs, Math.max(0, deadline - Date.now()))));
    }
  }

  private async lastPlaced(): Promise<number> {
    try {
      const message = await this.jsm.streams.getMessage(this.consumer.stream, { last_by_subj: this.consumer.subject });
      return message.seq;
    } catch {
      return 0;
    }
  }
}
