// @yarnpkg/lockfile is CommonJS: Node's ESM loader exposes only its default export.
declare module '@yarnpkg/lockfile' {
  interface ParseResult {
    type: 'success' | 'merge' | 'conflict';
    object: Record<string, unknown>;
  }
  const lockfile: { parse(text: string): ParseResult };
  export default lockfile;
}
