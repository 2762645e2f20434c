/** Hexagonal boundaries: dependencies point inward (adapters → application → domain). */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-plain-typescript',
      comment: 'domain/ imports only domain/: no application, adapters, generated code or packages.',
      severity: 'error',
      from: { path: '^services/[^/]+/src/domain/' },
      to: { pathNot: ['^services/[^/]+/src/domain/', '^kernel/', '^node:'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domain-types-stay-in-domain',
      severity: 'error',
      from: { path: '^services/[^/]+/src/domain/' },
      to: { pathNot: ['^services/[^/]+/src/domain/', '^kernel/'], dependencyTypes: ['type-only'] },
    },
    {
      name: 'application-depends-on-domain-only',
      comment: 'Use cases see ports and the domain; never adapters, grpc-js, nats, MikroORM or generated code.',
      severity: 'error',
      from: { path: '^services/([^/]+)/src/application/' },
      to: { pathNot: ['^services/$1/src/(application|domain)/', '^kernel/', '^node:'] },
    },
    {
      name: 'no-service-reaches-into-another',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'nothing-depends-on-marketing',
      comment:
        'Marketing joins by subscribing to the events: no service, shared adapter, kernel or generated TypeScript may reach it (test/e2e/open-architecture.test.ts also checks the Python side, configuration and manifests).',
      severity: 'error',
      from: { path: '^(services/|adapters/|kernel/|gen/ts/)', pathNot: '^(services/marketing/|gen/ts/fooddelivery/marketing/)' },
      to: { path: ['^services/marketing/', '^gen/python/', '^gen/ts/fooddelivery/marketing/'] },
    },
    {
      name: 'shared-adapters-know-no-service',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^services/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
