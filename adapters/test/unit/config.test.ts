import { expect } from 'chai';
import { ConfigurationError, env, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  const shape = { GRPC_PORT: env.port(50051), DATABASE_URL: env.sqlDatabaseUrl('sqlite:x.sqlite'), RETRY: env.flag(true) };

  it('applies defaults and converts values', () => {
    expect(loadConfig(shape, { GRPC_PORT: '6000', RETRY: 'false' })).to.deep.equal({
      GRPC_PORT: 6000,
      DATABASE_URL: 'sqlite:x.sqlite',
      RETRY: false,
    });
  });

  it('names every bad variable with the value it got', () => {
    try {
      loadConfig(shape, { GRPC_PORT: '70000', DATABASE_URL: 'mysql://db' });
      expect.fail('expected a configuration error');
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigurationError);
      const { problems } = error as ConfigurationError;
      expect(problems).to.have.length(2);
      expect(problems[0]).to.match(/^GRPC_PORT .*70000/);
      expect(problems[1]).to.match(/^DATABASE_URL .*mysql/);
    }
  });
});
