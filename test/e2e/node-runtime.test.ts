/*
 * The project runs on Node.js 24 or newer (scripts/node-env.sh): the machine's own node when it is
 * recent enough, otherwise the one the set-up installs into .tools/node. npm scripts reach it
 * through the node_modules/.bin/node link that setup.sh renews, so `node` must still name it after
 * the set-up ran inside an npm script (as `npm start` and `npm test` do).
 */
import { repoRoot } from '@fooddelivery/stack/paths';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';

const major = (version: string) => Number(version.trim().split('.')[0]);

describe('the Node.js the project runs on', function () {
  this.timeout(300_000);

  it('runs the tests on Node 24 or newer', () => {
    expect(major(process.versions.node)).to.be.at.least(24);
  });

  it('gives npm scripts Node 24 or newer, also after the set-up ran inside one, every time', () => {
    const script = 'source scripts/node-env.sh && bash scripts/setup.sh && node -p process.versions.node';
    for (const run of [1, 2]) {
      const result = spawnSync('npm', ['exec', '-c', `bash -c '${script}'`], { cwd: repoRoot, encoding: 'utf8', timeout: 240_000 });
      expect(result.status, `run ${run}: ${result.stderr}`).to.equal(0);
      expect(major(result.stdout), `run ${run}`).to.be.at.least(24);
    }
  });
});
