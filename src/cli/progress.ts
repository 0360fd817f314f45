// Progress for long work on a terminal (stderr): a bar when the total is known, else a
// counter; nothing when stderr is not a terminal (logs say what happened there).
export interface Progress {
  /** with a total, a bar; without, a counter */
  tick(count: number, total?: number): void
  done(): void
}

function bar(count: number, total: number, width = 24): string {
  const filled = Math.round((Math.min(count, total) / Math.max(total, 1)) * width)
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${count.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`
}

export function counter(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { tick() {}, done() {} }
  const started = performance.now()
  let last = 0
  let shown = false
  return {
    tick(count, total) {
      const now = performance.now()
      if (now - last < 200) return
      last = now
      const rate = count / Math.max((now - started) / 1000, 0.001)
      const what = total === undefined ? count.toLocaleString('en-US') : bar(count, total)
      stream.write(`\r\x1b[K${label}: ${what} (${Math.round(rate).toLocaleString('en-US')}/s)`)
      shown = true
    },
    done() {
      if (shown) stream.write('\r\x1b[K')
    },
  }
}
