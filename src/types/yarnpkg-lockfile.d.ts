declare module '@yarnpkg/lockfile' {
  export function parse(text: string): { type: 'success' | 'merge' | 'conflict'; object: Record<string, unknown> };
}
