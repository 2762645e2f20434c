/*
 * The deployment (k8s/, docker-compose.yml, Dockerfile), without a cluster or Docker: neither runs
 * on these machines.
 *
 * k8scheck (tools/cmd/k8scheck) decodes every manifest strictly with client-go's scheme, puts each
 * object through the API server's own create validation (k8s.io/kubernetes), evaluates the Pods
 * against Pod Security Admission, checks the project's rules (probes, rolling updates, shutdown
 * timing, the services' variables, nats.conf through nats-server's parser), renders the
 * kustomization, compares docker-compose.yml with the manifests and parses the Dockerfile with
 * BuildKit's parser and linter; ServiceMonitor and PrometheusRule are decoded into the Prometheus
 * Operator's types and their rules parsed with Prometheus's own rule parser. These tests run it on the repository and on broken copies, which
 * must fail naming the file and the problem.
 */
import { repoRoot, toolPath } from '@fooddelivery/stack/paths';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function k8scheck(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(toolPath('k8scheck'), args, { cwd, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('Kubernetes manifests (k8s/) and docker-compose.yml', function () {
  this.timeout(60_000);

  it('are valid: strict decoding, API validation, Pod Security, project rules; compose and Dockerfile agree', () => {
    const { status, stdout, stderr } = k8scheck(repoRoot, '-compose', 'docker-compose.yml', '-dockerfile', 'Dockerfile', 'k8s');
    expect(status, stderr).to.equal(0);
    const summary = /^k8scheck: (\d+) files, (\d+) documents, (\d+) objects.*: valid \(0 warnings\)$/m.exec(stdout);
    expect(summary, stdout).to.not.equal(null);
    const [, files, documents, objects] = summary!.map(Number);
    // Namespace, common config, NATS, MongoDB, PostgreSQL, four services, Envoy.
    expect(files).to.be.at.least(10);
    expect(objects).to.equal(documents);
    expect(objects).to.be.at.least(40);
  });

  describe('a broken copy fails, naming the file and the problem', () => {
    let scratch: string;

    beforeEach(() => {
      scratch = mkdtempSync(join(tmpdir(), 'k8scheck-'));
      cpSync(join(repoRoot, 'k8s'), join(scratch, 'k8s'), { recursive: true });
    });
    afterEach(() => rmSync(scratch, { recursive: true, force: true }));

    function edit(file: string, from: string, to: string): void {
      const path = join(scratch, 'k8s', file);
      const text = readFileSync(path, 'utf8');
      expect(text, `${file} has changed: update this test`).to.include(from);
      writeFileSync(path, text.replace(from, to));
    }

    function expectFailure(line: RegExp): void {
      const { status, stderr } = k8scheck(scratch, 'k8s');
      expect(status, stderr).to.equal(1);
      expect(stderr).to.match(line);
    }

    it('an unknown field (strict decoding)', () => {
      edit('order.yaml', '      enableServiceLinks: false\n', '      enableServiceLinks: false\n      restartPolicyy: Always\n');
      expectFailure(
        /^error: k8s\/order\.yaml: document 3 \(Deployment order\): strict decoding error: unknown field "spec\.template\.spec\.restartPolicyy"$/m,
      );
    });

    it('a value of the wrong type', () => {
      edit('payment.yaml', '  replicas: 2\n', '  replicas: two\n');
      expectFailure(
        /^error: k8s\/payment\.yaml: document 3 \(Deployment payment\): .*cannot unmarshal string into Go struct field DeploymentSpec\.spec\.replicas of type int32$/m,
      );
    });

    it("a value the API server's validation refuses", () => {
      edit('store.yaml', '      targetPort: grpc\n', '      targetPort: grpc\n      nodePort: 99999\n');
      expectFailure(/^error: k8s\/store\.yaml: document 4 \(Service store\): spec\.ports\[0\]\.nodePort: .*/m);
    });

    it("a variable the service does not read (README's configuration)", () => {
      edit('config.yaml', '  LOG_LEVEL: info\n', '  LOG_LEVL: info\n');
      expectFailure(
        /^error: k8s\/order\.yaml: document 3 \(Deployment order\): container order: LOG_LEVL \(from ConfigMap fooddelivery-common\) is not a variable the order service reads/m,
      );
    });

    it('a grace period shorter than the drain', () => {
      edit('notification.yaml', 'terminationGracePeriodSeconds: 30', 'terminationGracePeriodSeconds: 12');
      expectFailure(
        /^error: k8s\/notification\.yaml: document 3 \(Deployment notification\): .*terminationGracePeriodSeconds 12 does not exceed/m,
      );
    });

    it('a service deployed with DEPLOY_ENV=development', () => {
      edit('config.yaml', '  DEPLOY_ENV: production\n', '  DEPLOY_ENV: development\n');
      expectFailure(
        /^error: k8s\/order\.yaml: document 3 \(Deployment order\): .*DEPLOY_ENV="development": the manifests deploy production/m,
      );
    });

    it('the development issuer', () => {
      edit('config.yaml', '  AUTH_ISSUER: https://issuer.example.invalid\n', '  AUTH_ISSUER: fooddelivery-dev\n');
      expectFailure(/^error: k8s\/order\.yaml: document 3 \(Deployment order\): .*fooddelivery-dev/m);
    });

    it('a token, a private key or an nkey seed written into a manifest', () => {
      const segment = (text: string) => Buffer.from(text).toString('base64url');
      const jwt = `${segment('{"alg":"ES256","typ":"JWT"}')}.${segment('{"sub":"order","role":"service"}')}.${segment('signature')}`;
      edit('order.yaml', '  PAYMENT_TIMEOUT_MS:', `  PAYMENT_AUTH_TOKEN: ${jwt}\n  PAYMENT_TIMEOUT_MS:`);
      expectFailure(/^error: k8s\/order\.yaml: line \d+, column \d+: embeds a JWT/m);
      edit('config.yaml', '  DEPLOY_ENV: production\n', `  DEPLOY_ENV: production\n  KEY: |\n    -----BEGIN ${'PRIVATE'} KEY-----\n`);
      expectFailure(/^error: k8s\/config\.yaml: line \d+, column \d+: embeds a PEM private key/m);
    });

    it('no default-deny NetworkPolicy', () => {
      const text = readFileSync(join(scratch, 'k8s', 'network-policies.yaml'), 'utf8');
      const withoutDefaultDeny = text.replace(
        /apiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n[\s\S]*?\n---\n/,
        '',
      );
      expect(withoutDefaultDeny).to.not.equal(text);
      writeFileSync(join(scratch, 'k8s', 'network-policies.yaml'), withoutDefaultDeny);
      expectFailure(/no default-deny NetworkPolicy/m);
    });

    it("a ServiceMonitor with an unknown field (the operator's types, decoded strictly)", () => {
      edit('monitoring.yaml', '      interval: 15s\n', '      intervall: 15s\n');
      expectFailure(
        /^error: k8s\/monitoring\.yaml: document 1 \(ServiceMonitor fooddelivery-services\): strict decoding error: unknown field "spec\.endpoints\[0\]\.intervall"$/m,
      );
    });

    it('a ServiceMonitor that selects no Service', () => {
      edit('monitoring.yaml', '      app.kubernetes.io/component: service\n', '      app.kubernetes.io/component: services\n');
      expectFailure(/^error: k8s\/monitoring\.yaml: document 1 \(ServiceMonitor fooddelivery-services\): selector .* matches no Service$/m);
    });

    it('a ServiceMonitor scraping a port the Services do not name', () => {
      edit('monitoring.yaml', '    - port: http\n', '    - port: metrics\n');
      expectFailure(
        /^error: k8s\/monitoring\.yaml: document 1 \(ServiceMonitor fooddelivery-services\): spec\.endpoints\[0\]\.port: Service order has no port named "metrics"$/m,
      );
    });

    it("a PrometheusRule whose expression does not parse (Prometheus's rule parser)", () => {
      edit('monitoring.yaml', 'max by (consumer) (dead_letter_messages) > 0', 'max by (consumer) (dead_letter_messages) >');
      expectFailure(
        /^error: k8s\/monitoring\.yaml: document 2 \(PrometheusRule fooddelivery-alerts\): spec\.groups: group "fooddelivery-events", rule 1 \(DeadLettersWaiting\): could not parse expression: .*$/m,
      );
    });

    it('a PrometheusRule with a recording rule that has a for', () => {
      edit('monitoring.yaml', '      - alert: DeadLettersWaiting\n', '      - record: dead_letters:max\n');
      expectFailure(
        /^error: k8s\/monitoring\.yaml: document 2 \(PrometheusRule fooddelivery-alerts\): spec\.groups: .*invalid field 'for' in recording rule/m,
      );
    });

    it('nats.conf without fsync on every write', () => {
      edit('nats.yaml', '      sync_interval: always\n', '');
      expectFailure(/^error: k8s\/nats\.yaml: document 1 \(ConfigMap nats-config\): nats\.conf: jetstream sync_interval is not `always`/m);
    });
  });

  it('the Dockerfile puts every shared workspace into the service image', () => {
    const { workspaces } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
    const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
    const runtime = dockerfile.slice(dockerfile.indexOf('AS service'));
    // stack/ runs the local stack and tests; services/* are copied one at a time.
    for (const workspace of workspaces.filter((w) => w !== 'stack' && !w.startsWith('services/'))) {
      expect(runtime, `the service stage must COPY ${workspace}/`).to.match(new RegExp(`^COPY ${workspace} ${workspace}$`, 'm'));
    }
    expect(runtime).to.match(/^COPY services\/\$\{SERVICE\} services\/\$\{SERVICE\}$/m);
  });
});
