import { expect } from 'chai';
import { GroupCommit } from '../../src/group-commit.js';

describe('GroupCommit', () => {
  it('writes what is asked for in one turn as one group, and each write gets its own result', async () => {
    const groups: number[][] = [];
    const commit = new GroupCommit<number, string>(async (writes) => {
      groups.push(writes);
      return writes.map((write) => `stored ${write}`);
    });
    const results = await Promise.all([1, 2, 3].map((write) => commit.write(write)));
    expect(results).to.deep.equal(['stored 1', 'stored 2', 'stored 3']);
    expect(groups).to.deep.equal([[1, 2, 3]]);
  });

  it('groups what is asked for while a group is being written into the next one, at most maxGroup at a time', async () => {
    const groups: number[][] = [];
    let release: () => void = () => {};
    const commit = new GroupCommit<number, number>(async (writes) => {
      groups.push(writes);
      if (groups.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return writes;
    }, 3);
    const first = commit.write(0);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [1, 2, 3, 4].map((write) => commit.write(write));
    release();
    expect(await Promise.all([first, ...later])).to.deep.equal([0, 1, 2, 3, 4]);
    expect(groups).to.deep.equal([[0], [1, 2, 3], [4]]);
  });

  it('fails every write of a group whose writing failed, and goes on with the next group', async () => {
    let calls = 0;
    const commit = new GroupCommit<string, string>(async (writes) => {
      calls++;
      if (calls === 1) throw new Error('database unavailable');
      return writes;
    });
    const failed = await Promise.allSettled([commit.write('a'), commit.write('b')]);
    expect(failed.map((outcome) => outcome.status)).to.deep.equal(['rejected', 'rejected']);
    expect(await commit.write('c')).to.equal('c');
  });
});
