/** A small method + path router with named routes (for faults, latency and the log). */
import type { RouteName } from '../routes/index.ts'
import type { Handler } from '../context.ts'

export type Access = 'none' | 'read' | 'manage'

export interface RouteDefinition {
  method: string
  /** Path pattern: literal segments and `:name` parameters (`:name*` takes the rest of the path). */
  path: string
  name: RouteName
  /** Which API key role the route needs; `'none'` for upload URLs (their token is the credential) and media. */
  access: Access
  handler: Handler
}

interface CompiledRoute extends RouteDefinition {
  regex: RegExp
  keys: string[]
}

export type Match =
  | { kind: 'found'; route: RouteDefinition; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' }

function compile(route: RouteDefinition): CompiledRoute {
  const keys: string[] = []
  const source = route.path
    .split('/')
    .map((segment) => {
      const param = /^:(\w+)(\*)?$/.exec(segment)
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      keys.push(param[1]!)
      return param[2] ? '(.+)' : '([^/]+)'
    })
    .join('/')
  return { ...route, regex: new RegExp(`^${source}$`), keys }
}

export function createRouter(routes: readonly RouteDefinition[]) {
  const compiled = routes.map(compile)
  return {
    match(method: string, pathname: string): Match {
      const allow = new Set<string>()
      for (const route of compiled) {
        const found = route.regex.exec(pathname)
        if (!found) continue
        if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) {
          allow.add(route.method)
          continue
        }
        const params: Record<string, string> = {}
        route.keys.forEach((key, i) => {
          params[key] = decodeURIComponent(found[i + 1]!)
        })
        return { kind: 'found', route, params }
      }
      return allow.size > 0 ? { kind: 'method-not-allowed', allow: [...allow] } : { kind: 'not-found' }
    },
  }
}
