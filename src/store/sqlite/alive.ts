// Whether the process that started a batch or a run is still alive (on this host): a
// "running" record whose process is gone was interrupted.
import { hostname } from 'node:os'

export function isRunningHere(host: string, pid: number): boolean {
  if (host !== hostname()) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
