/**
 * The web app: `npm run web:build` writes web/dist, the static files the edge serves (`npm start`
 * on 127.0.0.1:8080, Envoy's `web` cluster in production). Beside the app, dist/ gets the REST API
 * document (openapi.json, from gen/openapi) and the API reference at docs/ (Swagger UI, from the
 * swagger-ui-dist package, so nothing is loaded from another site).
 *
 * `npm run web:dev` serves the app with live reload on http://localhost:3000 and forwards the API
 * and the development sign-in to the edge of `npm start`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const swaggerUi = dirname(require.resolve('swagger-ui-dist/package.json'));

/** Files copied into dist/ as they are: where they end up, and where they come from. */
const copied: Record<string, string> = {
  'openapi.json': join(here, '..', 'gen', 'openapi', 'openapi.json'),
  'docs/swagger-ui-bundle.js': join(swaggerUi, 'swagger-ui-bundle.js'),
  'docs/swagger-ui.css': join(swaggerUi, 'swagger-ui.css'),
};

function copiedFiles(): Plugin {
  return {
    name: 'fooddelivery-copied-files',
    generateBundle() {
      for (const [fileName, source] of Object.entries(copied)) this.emitFile({ type: 'asset', fileName, source: readFileSync(source) });
    },
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const source = copied[(request.url ?? '').split('?')[0]!.slice(1)];
        if (!source) return next();
        response.setHeader(
          'content-type',
          source.endsWith('.json') ? 'application/json' : source.endsWith('.css') ? 'text/css' : 'text/javascript',
        );
        response.end(readFileSync(source));
      });
    },
  };
}

const edge = process.env.EDGE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: here,
  // Relative asset URLs: the same files work wherever the edge mounts them.
  base: './',
  plugins: [copiedFiles()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The bundle is small; a source map helps reading errors in the browser.
    sourcemap: true,
  },
  server: {
    host: '127.0.0.1',
    port: 3000,
    strictPort: true,
    proxy: { '/v1': edge, '/dev': edge },
  },
});
