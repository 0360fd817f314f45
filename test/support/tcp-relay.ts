// A loopback TCP relay in front of a server (TLS passes through untouched) that a test
// can stop, or make cut every connection after a number of bytes: a server that goes
// away in the middle of a read.
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net'

export interface Relay {
  port: number
  target: number
  /** bytes sent by the server since last reset */
  count: number
  /** cut every connection once the server has sent this many bytes */
  cutAfter: number
  stop(): Promise<void>
}

/** A loopback TCP relay to the DC (TLS passes through untouched), which can be stopped or made to cut. */
export async function startRelay(target: number): Promise<Relay> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((down) => {
    const up = netConnect(target, '127.0.0.1')
    for (const s of [down, up]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {})
    }
    down.on('close', () => up.destroy())
    up.on('close', () => down.destroy())
    down.pipe(up)
    up.on('data', (chunk: Buffer) => {
      if (relay.count + chunk.length > relay.cutAfter) {
        up.destroy()
        down.destroy()
        return
      }
      relay.count += chunk.length
      down.write(chunk)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const relay: Relay = {
    port: (server.address() as { port: number }).port,
    target,
    count: 0,
    cutAfter: Number.POSITIVE_INFINITY,
    stop: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return relay
}
