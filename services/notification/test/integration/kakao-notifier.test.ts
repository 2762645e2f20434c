import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NotifierError } from '../../src/application/ports.js';
import { KakaoNotifier } from '../../src/adapters/notifier/kakao-notifier.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

describe('KakaoNotifier against a local HTTP receiver', () => {
  let server: Server;
  let url: string;
  const received: Received[] = [];
  let answer = { status: 200, body: '{"result_code":0}', delayMs: 0 };

  before(async () => {
    server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: JSON.parse(text) });
        setTimeout(() => response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body), answer.delayMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/api/talk/messages`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    received.splice(0);
    answer = { status: 200, body: '{"result_code":0}', delayMs: 0 };
  });

  // A generous budget where the test is not about time: a process's first fetch alone can take
  // hundreds of milliseconds on a busy machine.
  const notifier = (timeoutMs = 5_000) => new KakaoNotifier({ url, token: 'secret-token', timeoutMs });
  const message = { notificationId: 'o-1:paid', recipient: 'c-1', text: '결제가 완료되었습니다.' };
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error as NotifierError,
    );

  it('POSTs JSON with recipient, text and idempotency key, and a bearer token', async () => {
    await notifier().send(message);
    expect(received).to.have.length(1);
    const [request] = received;
    expect(request).to.deep.include({ method: 'POST', url: '/v1/api/talk/messages' });
    expect(request!.headers).to.deep.include({
      authorization: 'Bearer secret-token',
      'content-type': 'application/json',
      'idempotency-key': 'o-1:paid',
    });
    expect(request!.body).to.deep.equal({ recipient: 'c-1', text: '결제가 완료되었습니다.', idempotency_key: 'o-1:paid' });
  });

  it('5xx, 429 and 401 are worth retrying; 400 is not', async () => {
    for (const [status, permanent] of [
      [500, false],
      [503, false],
      [429, false],
      [401, false],
      [400, true],
      [404, true],
    ] as const) {
      answer = { status, body: '{"msg":"nope"}', delayMs: 0 };
      const error = await failure(notifier().send(message));
      expect(error, String(status)).to.be.instanceOf(NotifierError);
      expect(error?.permanent, String(status)).to.equal(permanent);
      expect(error?.message).to.equal(`message API answered ${status}: {"msg":"nope"}`);
    }
  });

  it('no answer within the timeout, or nobody listening: retried later', async () => {
    answer = { status: 200, body: '{}', delayMs: 1_000 };
    const slow = await failure(notifier(300).send(message));
    expect(slow?.message).to.match(/no answer within 300 ms/);
    expect(slow?.permanent).to.equal(false);
    const down = await failure(new KakaoNotifier({ url: 'http://127.0.0.1:9/x', token: 't', timeoutMs: 300 }).send(message));
    expect(down?.message).to.match(/unreachable/);
    expect(down?.permanent).to.equal(false);
  });
});
