// swagger2openapi ships no types; scripts/openapi.ts uses only this.
declare module 'swagger2openapi' {
  const converter: {
    convertObj(swagger: object, options: { patch?: boolean; warnOnly?: boolean }): Promise<{ openapi: object }>;
  };
  export default converter;
}
