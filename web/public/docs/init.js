// The API reference: Swagger UI on the document generated from the protos (gen/openapi/openapi.json).
// validatorUrl null: Swagger UI would otherwise send the document to an online validator.
window.ui = SwaggerUIBundle({
  url: '../openapi.json',
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  // No deep links: they put a link inside each operation's toggle button (nested controls).
  deepLinking: false,
  validatorUrl: null,
  persistAuthorization: false,
});
