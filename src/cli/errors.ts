// How the CLI ends on an error: one line naming the problem, exit status 2 ("could not
// run"); the stack and the underlying cause only with --debug.
import { isIdsyncError } from '../core/errors.js'

export const EXIT_COULD_NOT_RUN = 2

export function reportError(e: unknown, debug: boolean): number {
  if (isIdsyncError(e)) {
    process.stderr.write(`idsync: ${e.message}\n`)
  } else {
    const msg = e instanceof Error ? e.message : String(e)
    process.stderr.write(
      `idsync: unexpected error: ${msg.split('\n')[0]}${debug ? '' : ' (run with --debug for details)'}\n`,
    )
  }
  if (debug) {
    let cur: unknown = e
    while (cur) {
      process.stderr.write(`${cur instanceof Error ? (cur.stack ?? cur.message) : String(cur)}\n`)
      cur = cur instanceof Error ? cur.cause : undefined
      if (cur) process.stderr.write('caused by: ')
    }
  }
  return EXIT_COULD_NOT_RUN
}
