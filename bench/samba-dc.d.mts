// Types of samba-dc.mjs for the TypeScript benchmarks.
export function withSambaDc<T>(
  o: { dir: string; realm?: string; domain?: string; users: number; seedEnv?: Record<string, string> },
  fn: (env: Record<string, string>) => Promise<T>,
): Promise<T>
export function timeLdapsearch(
  env: Record<string, string>,
  base: string,
  filter: string,
  attributes: readonly string[],
): number
