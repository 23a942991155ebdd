/**
 * One request's way through the emulator: route → latency → injected fault → authentication →
 * rate limit → handler → answer, with a log entry for each. Never crashes on a bad request: every
 * error leaves as a Wix-shaped JSON body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { API_PREFIX } from '../client/wire.ts'
import { authenticate } from './auth.ts'
import type { EmulatorContext, RequestContext } from './context.ts'
import type { FaultAction } from './faults.ts'
import { bodyChunks, ConnectionResetFault, readJsonBody } from './http/body.ts'
import { createRouter, type RouteDefinition } from './http/router.ts'
import type { RateLimiter } from './rate-limit.ts'
import type { RequestLog, RequestLogEntry } from './request-log.ts'
import { applicationError, serverError, WixHttpError } from './wix-errors.ts'

/** The upload host's routes: the contract promises no error body there (`uploadErrorBodies`). */
const UPLOAD_HOST_ROUTES: ReadonlySet<string> = new Set(['upload', 'tusOptions', 'tusCreate', 'tusHead', 'tusPatch', 'tusDelete', 'tusFinalize'])

/** A status with no body. */
function sendStatus(res: ServerResponse, status: number, headers: Record<string, string>): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  res.writeHead(status, { 'Content-Length': 0, 'X-Wix-Request-Id': res.getHeader('X-Wix-Request-Id') as string, ...headers })
  res.end()
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Wix-Request-Id': res.getHeader('X-Wix-Request-Id') as string,
    ...headers,
  })
  res.end(text)
}

function faultError(action: Exclude<FaultAction, 'ok' | 'reset' | 'stall' | 'stall-body' | { reset: unknown }>): WixHttpError {
  const { status, retryAfter } = typeof action === 'number' ? { status: action, retryAfter: undefined } : action
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) }
  if (status === 429) return applicationError(429, 'RESOURCE_EXHAUSTED', 'Too many requests', {}, headers)
  if (status >= 500) return new WixHttpError(status, serverError(status).body, headers)
  return applicationError(status, 'INJECTED_FAULT', `Injected fault ${status}`, {}, headers)
}

function describeFault(action: FaultAction): string {
  if (typeof action === 'number') return String(action)
  if (typeof action === 'string') return action
  return 'status' in action ? String(action.status) : 'reset'
}

function hasBody(req: IncomingMessage): boolean {
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined
}

export function createRequestHandler(ctx: EmulatorContext, routes: readonly RouteDefinition[], log: RequestLog, limiter: RateLimiter) {
  const router = createRouter(routes)
  /** Requests held open by a `stall` fault, released when the emulator closes. */
  const stalled = new Set<ServerResponse>()

  async function handle(req: IncomingMessage, res: ServerResponse, entry: RequestLogEntry, url: URL): Promise<void> {
    const match = router.match(req.method ?? 'GET', url.pathname)
    if (match.kind === 'not-found') throw applicationError(404, 'NOT_FOUND', `No route for ${req.method} ${url.pathname.startsWith('/upload/') ? '/upload/…' : url.pathname}`)
    if (match.kind === 'method-not-allowed') {
      throw applicationError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here; use ${match.allow.join(' or ')}`, {}, { Allow: match.allow.join(', ') })
    }
    const { route, params } = match
    entry.route = route.name

    const delay = ctx.faults.latency(route.name)
    if (delay > 0) await sleep(delay)

    let resetAfterBytes: number | undefined
    const action = ctx.faults.next(route.name)
    if (action !== 'ok') {
      entry.fault = describeFault(action)
      if (action === 'stall' || action === 'stall-body') {
        // Held open until the client gives up or the emulator closes; `stall-body` first sends the start of a 200.
        stalled.add(res)
        res.on('close', () => stalled.delete(res))
        req.resume()
        if (action === 'stall-body') {
          res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': '4096' })
          res.write('{"file":{"id":"')
          entry.status = 200
        }
        return
      }
      if (action === 'reset' || (typeof action === 'object' && 'reset' in action)) {
        if (!hasBody(req)) {
          req.socket.resetAndDestroy()
          return
        }
        resetAfterBytes = typeof action === 'object' ? action.reset.afterBytes : Math.floor(Number(req.headers['content-length'] ?? 2) / 2)
      } else {
        throw faultError(action)
      }
    }

    if (url.pathname.startsWith(API_PREFIX)) {
      authenticate(req, route.access, ctx.options)
      const wait = limiter.take(String(req.headers['wix-site-id']))
      if (wait > 0) {
        const setting = ctx.options.rateLimitRetryAfter
        const retryAfter = setting === 'auto' ? Math.max(1, Math.ceil(wait / 1000)) : setting
        throw applicationError(429, 'RESOURCE_EXHAUSTED', 'Too many requests: the site is over its API rate limit', {},
          retryAfter === false ? {} : { 'Retry-After': String(retryAfter) })
      }
    }

    let body: AsyncGenerator<Buffer> | undefined
    const request: RequestContext = {
      req,
      res,
      url,
      params,
      route: route.name,
      body: () => (body ??= bodyChunks(req, resetAfterBytes)),
      json: () => readJsonBody(request.body(), ctx.options.maxJsonBodyBytes),
    }
    const reply = await route.handler(ctx, request)
    if (resetAfterBytes !== undefined && !req.socket.destroyed) {
      // The handler did not read the whole body: reset now, as the fault promised.
      for await (const _ of request.body()) { /* drain up to the reset */ }
    }
    if (reply) sendJson(res, reply.status ?? 200, reply.body, reply.headers)
  }

  return {
    async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const started = performance.now()
      const url = new URL(req.url ?? '/', 'http://emulator.invalid')
      const entry = log.start(req.method ?? 'GET', 'unknown', url.pathname + url.search)
      res.setHeader('X-Wix-Request-Id', `${Date.now().toString(16)}.${ctx.random.hex(16)}`)
      res.on('finish', () => {
        entry.status = res.statusCode
      })
      res.on('close', () => {
        entry.durationMs = Math.round(performance.now() - started)
      })
      try {
        await handle(req, res, entry, url)
      } catch (error) {
        // `req.socket` is null once a body read stopped part-way (the async iterator destroys `req`);
        // the connection itself lives on in `res.socket` and can still carry the answer.
        if (error instanceof ConnectionResetFault || res.socket?.destroyed) return
        // An injected reset wins over the error answer of a request that failed before its body was cut.
        if (entry.fault === 'reset') {
          res.socket?.resetAndDestroy()
          return
        }
        const wix = error instanceof WixHttpError ? error : undefined
        if (!wix) process.emitWarning(`wix-media emulator: ${(error as Error).stack ?? String(error)}`)
        const answer = wix ?? applicationError(500, 'INTERNAL', 'The emulator failed on this request')
        // Drain what the client still sends, so that it reads the answer instead of a reset.
        req.resume()
        if (!ctx.options.uploadErrorBodies && UPLOAD_HOST_ROUTES.has(entry.route)) sendStatus(res, answer.status, { ...answer.headers })
        else sendJson(res, answer.status, answer.body, { ...answer.headers })
      }
    },
    /** Ends every request a stall fault held open. */
    releaseStalled(): void {
      for (const res of stalled) res.destroy()
      stalled.clear()
    },
  }
}
