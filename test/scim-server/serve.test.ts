// The test SCIM server's standalone entry (test/support/scim-server/serve.ts), run with tsx as a
// child process the way a developer starts it by hand.
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..')
const SERVE = join(root, 'test/support/scim-server/serve.ts')
let child: ChildProcess | undefined

afterAll(() => {
  if (child?.pid !== undefined && child.exitCode === null) child.kill('SIGTERM')
})

describe('serve.ts', () => {
  it('starts a server from the command line', async () => {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', SERVE, '--port', '0', '--token', 'T0K', '--seed-users', '2'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      child?.stdout?.on('data', (d: Buffer) => {
        out += d.toString()
        const m = /listening at (\S+)/.exec(out)
        if (m?.[1]) resolve(m[1])
      })
      child?.once('exit', (code) => reject(new Error(`serve.ts exited with ${code}: ${out}`)))
    })
    const r = await fetch(`${url}/Users`, { headers: { authorization: 'Bearer T0K' } })
    expect(r.status).toBe(200)
    expect(((await r.json()) as { totalResults: number }).totalResults).toBe(2)
    expect((await fetch(`${url}/Users`)).status).toBe(401)
    const exited = new Promise((resolve) => child?.once('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})
