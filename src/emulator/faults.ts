/**
 * Fault injection, deterministic under the emulator's seed: per-route latency, status codes by
 * probability or by a scripted sequence, connection resets in the middle of a request, stalls.
 */
import type { Random } from './random.ts'
import type { RouteName } from './routes/index.ts'

export type FaultAction =
  /** No fault: the request is served. */
  | 'ok'
  /** Answer with this status and Wix's body for it (429 → `RESOURCE_EXHAUSTED`, 5xx → bare body). */
  | number
  | { status: number; retryAfter?: number }
  /** Read part of the request body (half of it, or `afterBytes`), then reset the connection. */
  | 'reset'
  | { reset: { afterBytes: number } }
  /** Read the request and never answer. */
  | 'stall'
  /** Send a 200 status, headers and the first bytes of the body, then nothing more. */
  | 'stall-body'

export interface FaultRule {
  /**
   * Which routes the rule applies to; `'*'` is every route but `media` (static files).
   * @default '*'
   */
  route?: RouteName | readonly RouteName[] | '*'
  /** Scripted: the n-th matching request gets `sequence[n]`; after the end, the rule is spent. */
  sequence?: readonly FaultAction[]
  /** Random: with `probability`, a matching request gets this action (or one of these, drawn). */
  action?: FaultAction | readonly FaultAction[]
  /**
   * Chance (0–1) that `action` fires on a matching request.
   * @default 1
   */
  probability?: number
  /** Fire at most this many times. */
  times?: number
}

export type LatencyOption = number | Partial<Record<RouteName | 'default', number>>

export interface FaultInjector {
  /** What to do with the next request on `route` (consumes scripted steps). */
  next(route: RouteName): FaultAction
  latency(route: RouteName): number
  add(rule: FaultRule): void
  clear(): void
  setLatency(latency: LatencyOption): void
}

interface LiveRule {
  readonly rule: FaultRule
  step: number
  fired: number
}

function matches(rule: FaultRule, route: RouteName): boolean {
  const target = rule.route ?? '*'
  if (target === '*') return route !== 'media'
  return typeof target === 'string' ? target === route : target.includes(route)
}

export function createFaultInjector(options: {
  faults: readonly FaultRule[]
  failRate: number
  latency: LatencyOption
  random: Random
}): FaultInjector {
  const { random } = options
  let latency = options.latency
  let rules: LiveRule[] = []
  const add = (rule: FaultRule) => {
    rules.push({ rule, step: 0, fired: 0 })
  }
  for (const rule of options.faults) add(rule)
  if (options.failRate > 0) add({ action: [500, 503, 429], probability: options.failRate })

  const decide = (live: LiveRule): FaultAction => {
    const { rule } = live
    if (rule.times !== undefined && live.fired >= rule.times) return 'ok'
    if (rule.sequence) return rule.sequence[live.step++] ?? 'ok'
    if (rule.action === undefined) return 'ok'
    if (random.next() >= (rule.probability ?? 1)) return 'ok'
    const actions = Array.isArray(rule.action) ? rule.action : [rule.action]
    return actions[Math.floor(random.next() * actions.length)] ?? 'ok'
  }

  return {
    next(route) {
      let chosen: FaultAction = 'ok'
      for (const live of rules) {
        if (!matches(live.rule, route)) continue
        const action = decide(live)
        if (action === 'ok') continue
        live.fired++
        if (chosen === 'ok') chosen = action
      }
      return chosen
    },
    latency(route) {
      if (typeof latency === 'number') return latency
      return latency[route] ?? latency.default ?? 0
    },
    add,
    clear() {
      rules = []
    },
    setLatency(next) {
      latency = next
    },
  }
}
