import { NotifierError, type Notifier, type OutgoingMessage } from '../../application/ports.js';

export interface KakaoSettings {
  /** The message endpoint, e.g. https://kapi.example.com/v1/messages. */
  url: string;
  token: string;
  timeoutMs: number;
}

/** Statuses that say "not now" rather than "never": retried like network failures and 5xx. */
const transient = new Set([401, 403, 408, 409, 425, 429]);

/**
 * A KakaoTalk-style message API: POST JSON with the recipient, the text and an idempotency key
 * (the notification id, also as the Idempotency-Key header), authorised with a bearer token.
 * Any 2xx means the provider has the message.
 */
export class KakaoNotifier implements Notifier {
  readonly channel = 'kakao';

  constructor(private readonly settings: KakaoSettings) {}

  async send(message: OutgoingMessage): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.settings.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${this.settings.token}`,
          'idempotency-key': message.notificationId,
        },
        body: JSON.stringify({ recipient: message.recipient, text: message.text, idempotency_key: message.notificationId }),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (error) {
      const cause =
        error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${this.settings.timeoutMs} ms` : describe(error);
      throw new NotifierError(`message API unreachable: ${cause}`, false);
    }
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    const body = (await response.text().catch(() => '')).trim().slice(0, 200);
    const permanent = response.status >= 400 && response.status < 500 && !transient.has(response.status);
    throw new NotifierError(`message API answered ${response.status}${body ? `: ${body}` : ''}`, permanent);
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const text = error instanceof Error ? error.message : String(error);
  return cause instanceof Error ? `${text} (${cause.message})` : text;
}
