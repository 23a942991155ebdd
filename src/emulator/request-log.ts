/** The emulator's record of every request, for tests: never headers, never tokens. */
import type { RouteName } from './routes/index.ts'
import { redactTokens } from './tokens.ts'

export interface RequestLogEntry {
  /** Order of arrival, from 1. */
  seq: number
  /** ISO time of arrival. */
  time: string
  method: string
  route: RouteName
  /** Path and query, upload tokens replaced by `<token>`. */
  path: string
  /** The answer's status; `0` when a fault reset or stalled the request. */
  status: number
  durationMs: number
  /** The injected fault, if any: a status code, `reset`, `stall` or `stall-body`. */
  fault?: string
}

export interface RequestLog {
  start(method: string, route: RouteName, pathAndQuery: string): RequestLogEntry
  entries(): RequestLogEntry[]
  clear(): void
}

/** A log of the last `limit` requests: a ring, so that appending stays O(1) once it is full. */
export function createRequestLog(limit = 100_000): RequestLog {
  let ring: RequestLogEntry[] = []
  /** Where the oldest entry is once the ring is full (the next one overwrites it). */
  let oldest = 0
  let seq = 0
  return {
    start(method, route, pathAndQuery) {
      const entry: RequestLogEntry = {
        seq: ++seq,
        time: new Date().toISOString(),
        method,
        route,
        path: redactTokens(pathAndQuery),
        status: 0,
        durationMs: 0,
      }
      if (ring.length < limit) {
        ring.push(entry)
      } else {
        ring[oldest] = entry
        oldest = (oldest + 1) % limit
      }
      return entry
    },
    entries: () => [...ring.slice(oldest), ...ring.slice(0, oldest)].map((entry) => ({ ...entry })),
    clear() {
      ring = []
      oldest = 0
    },
  }
}
