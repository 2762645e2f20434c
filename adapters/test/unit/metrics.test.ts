import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { createMetrics } from '../../src/metrics.js';

describe('metrics', () => {
  it('labels every gRPC status code as grpc-go names it, on either transport', async () => {
    const metrics = createMetrics('test');
    const names: Record<number, string> = {};
    for (const code of Object.values(status).filter((value): value is number => typeof value === 'number')) {
      metrics.rpcStarted({ service: 'pkg.v1.Svc', method: `M${code}`, streaming: false, transport: code % 2 ? 'rest' : 'grpc' })(code);
    }
    for (const line of (await metrics.exposition()).split('\n')) {
      const match = /^grpc_server_handled_total\{.*grpc_method="M(\d+)".*grpc_code="(\w+)".*\} 1$/.exec(line);
      if (match) names[Number(match[1])] = match[2]!;
    }
    expect(names).to.deep.equal({
      0: 'OK',
      1: 'Canceled',
      2: 'Unknown',
      3: 'InvalidArgument',
      4: 'DeadlineExceeded',
      5: 'NotFound',
      6: 'AlreadyExists',
      7: 'PermissionDenied',
      8: 'ResourceExhausted',
      9: 'FailedPrecondition',
      10: 'Aborted',
      11: 'OutOfRange',
      12: 'Unimplemented',
      13: 'Internal',
      14: 'Unavailable',
      15: 'DataLoss',
      16: 'Unauthenticated',
    });
  });

  it('counts a call once, however often it is reported done', async () => {
    const metrics = createMetrics('test');
    const done = metrics.rpcStarted({ service: 'pkg.v1.Svc', method: 'Watch', streaming: true, transport: 'grpc' });
    done(status.OK);
    done(status.CANCELLED);
    const text = await metrics.exposition();
    expect(text).to.match(/^grpc_server_started_total\{grpc_type="server_stream",.*grpc_method="Watch".*\} 1$/m);
    expect(text).to.match(/^grpc_server_handled_total\{.*grpc_code="OK".*\} 1$/m);
    expect(text).to.not.include('grpc_code="Canceled"');
    expect(text).to.match(/^grpc_server_handling_seconds_count\{.*grpc_method="Watch".*\} 1$/m);
  });

  it('reads scrape-time values first, and answers without a read that is late', async function () {
    this.timeout(10_000);
    const metrics = createMetrics('test');
    const gauge = metrics.gauge('read_at_scrape', 'a value read when scraped');
    metrics.onScrape(async () => gauge.set(7));
    metrics.onScrape(() => new Promise(() => {}));
    const started = performance.now();
    const text = await metrics.exposition();
    // The scrape gives up on a late read after its 2 s budget; the margin is for a busy machine.
    expect(performance.now() - started).to.be.below(6_000);
    expect(text).to.match(/^read_at_scrape\{service="test"\} 7$/m);
  });
});
