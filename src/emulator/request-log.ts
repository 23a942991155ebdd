/** The emulator's record of every request, for tests: never headers, never tokens. */
import type { RouteName } from './faults.ts'
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

export function createRequestLog(limit = 100_000): RequestLog {
  let entries: RequestLogEntry[] = []
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
      entries.push(entry)
      if (entries.length > limit) entries = entries.slice(-limit)
      return entry
    },
    entries: () => entries.map((entry) => ({ ...entry })),
    clear() {
      entries = []
    },
  }
}
