/*
 * The alerting rules (deploy/prometheus/rules.yml), their PrometheusRule copy in k8s/ and the
 * Grafana dashboard, checked without a Prometheus: promtool (Debian's, in .tools/bin) checks the
 * rules and runs their unit tests (deploy/prometheus/rules.test.yml). That the metrics they name
 * are exposed is checked against running services in metrics.test.ts.
 */
import { repoRoot, toolPath } from '@fooddelivery/stack/paths';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { dashboardQueries, metricNames } from '../support/promql.js';

interface RuleGroup {
  name: string;
  rules: Array<{ alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string> }>;
}

const rulesFile = join(repoRoot, 'deploy/prometheus/rules.yml');
const rules = () => (parse(readFileSync(rulesFile, 'utf8')) as { groups: RuleGroup[] }).groups;

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(toolPath('promtool'), args, { cwd: join(repoRoot, 'deploy/prometheus'), encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('alerting rules and dashboard (deploy/prometheus, deploy/grafana, k8s/monitoring.yaml)', function () {
  this.timeout(60_000);

  it('promtool check rules accepts the rules', () => {
    const { status, output } = promtool('check', 'rules', 'rules.yml');
    expect(status, output).to.equal(0);
    expect(output).to.match(/SUCCESS: \d+ rules found/);
  });

  it('promtool test rules: each alert fires when it should, with its labels and text, and not on its look-alikes', () => {
    const { status, output } = promtool('test', 'rules', 'rules.test.yml');
    expect(status, output).to.equal(0);
    expect(output).to.include('SUCCESS');
    const tests = readFileSync(join(repoRoot, 'deploy/prometheus/rules.test.yml'), 'utf8');
    const alerts = rules().flatMap((group) => group.rules.map((rule) => rule.alert));
    expect(alerts).to.include.members([
      'PaymentCircuitOpen',
      'DeadLettersWaiting',
      'ConsumerLagGrowing',
      'OutboxEventsStuck',
      'RpcErrorRatioHigh',
      'RpcLatencyHigh',
    ]);
    for (const alert of alerts) {
      expect(tests, `${alert} has a firing case in rules.test.yml`).to.match(
        new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`),
      );
      expect(tests, `${alert} has a quiet case in rules.test.yml`).to.match(new RegExp(`alertname: ${alert}\\n\\s+exp_alerts: \\[\\]`));
    }
  });

  it('a broken rule fails promtool check rules', () => {
    const broken = readFileSync(rulesFile, 'utf8').replace(
      'max by (consumer) (dead_letter_messages) > 0',
      'max by (consumer) (dead_letter_messages) >',
    );
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    try {
      writeFileSync(join(dir, 'rules.yml'), broken);
      const result = spawnSync(toolPath('promtool'), ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
      expect(result.status).to.equal(1);
      expect(result.stdout + result.stderr).to.match(/DeadLettersWaiting.*parse error/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the PrometheusRule in k8s/monitoring.yaml has exactly rules.yml's groups", () => {
    const documents = parseAllDocuments(readFileSync(join(repoRoot, 'k8s/monitoring.yaml'), 'utf8')).map((document) => document.toJS());
    const prometheusRule = documents.find((document) => document?.kind === 'PrometheusRule') as { spec: { groups: RuleGroup[] } };
    expect(prometheusRule, 'k8s/monitoring.yaml has a PrometheusRule').to.not.equal(undefined);
    expect(prometheusRule.spec.groups).to.deep.equal(rules());
    expect(readFileSync(join(repoRoot, 'k8s/kustomization.yaml'), 'utf8')).to.match(/^ {2}- monitoring\.yaml$/m);
  });

  it('the Grafana dashboard: rates, errors, p99 per RPC, consumer lag, outbox age, breaker state', () => {
    const dashboard = JSON.parse(readFileSync(join(repoRoot, 'deploy/grafana/food-delivery.json'), 'utf8'));
    const queries = dashboardQueries(dashboard);
    const named = new Set(queries.flatMap(({ expr }) => metricNames(expr)));
    for (const name of [
      'grpc_server_handled_total',
      'grpc_server_handling_seconds_bucket',
      'grpc_client_handled_total',
      'payment_circuit_state',
      'jetstream_consumer_pending_messages',
      'dead_letter_messages',
      'outbox_oldest_unpublished_age_seconds',
      'event_handling_seconds_bucket',
    ]) {
      expect([...named], `a panel queries ${name}`).to.include(name);
    }
    for (const { panel, expr } of queries) {
      expect(metricNames(expr), `${panel}: ${expr}`).to.not.be.empty;
      expect(expr.split('(').length, `${panel}: balanced parentheses`).to.equal(expr.split(')').length);
    }
    expect(
      queries.some(({ expr }) => expr.startsWith('histogram_quantile(0.99,') && expr.includes('grpc_server_handling_seconds_bucket')),
    ).to.equal(true);
  });

  it('metricNames reads the names an expression uses', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (grpc_method, le) (rate(grpc_server_handling_seconds_bucket{service=~"$service", grpc_type="unary"}[$__rate_interval]))) > 1 and on (x) up offset 5m',
      ),
    ).to.deep.equal(['grpc_server_handling_seconds_bucket', 'up']);
  });
});
