// Running the CLI from its TypeScript sources (through tsx), so that unit tests need no
// build: what an administrator sees on standard error, and the exit status.
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'

const MAIN = resolve(import.meta.dirname, '../../../src/cli/main.ts')
const TSX = import.meta.resolve('tsx')

export function runCliFromSource(
  args: string[],
  cwd?: string,
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
