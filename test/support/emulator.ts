/** Test helpers: an emulator per test file and a thin fetch wrapper that speaks Wix's wire format. */
import { afterAll, beforeAll, expect } from 'vitest'
import type { FileDescriptor } from '../../src/client/wire.ts'
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.ts'

export interface ApiAnswer<T = unknown> {
  status: number
  headers: Headers
  body: T
}

export interface Api {
  readonly emulator: Emulator
  /** A call under `/site-media/v1` with the manage key (override `headers` to change credentials). */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiAnswer<T>>
  /** Generates an upload URL, insisting on a 200. */
  uploadUrl(request: Record<string, unknown>): Promise<string>
  /** Generates an upload URL and PUTs `bytes` to it; returns the upload answer. */
  upload<T = Record<string, unknown>>(bytes: Buffer, request: Record<string, unknown>, put?: { contentType?: string; filename?: string }): Promise<ApiAnswer<T>>
}

/** A response read as the API answers: status, headers and the parsed JSON body (if any). */
export async function answerOf<T>(response: Response): Promise<ApiAnswer<T>> {
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T }
}

/** PUTs `bytes` to an upload URL with no credentials at all, as the contract says a client does. */
export async function putUpload<T = { file: FileDescriptor }>(
  url: string | URL,
  bytes: Buffer,
  contentType: string,
  filename?: string,
): Promise<ApiAnswer<T>> {
  const target = new URL(url)
  if (filename !== undefined) target.searchParams.set('filename', filename)
  return answerOf<T>(await fetch(target, { method: 'PUT', headers: { 'Content-Type': contentType }, body: bytes }))
}

/** Polls `check` every 10 ms until it holds; fails naming `what` after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

export function apiFor(emulator: Emulator): Api {
  const call: Api['call'] = async (method, path, body, headers) => {
    const response = await fetch(`${emulator.url}/site-media/v1${path}`, {
      method,
      headers: {
        Authorization: emulator.apiKey,
        'wix-site-id': emulator.siteId,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    return answerOf(response)
  }
  return {
    emulator,
    call,
    async uploadUrl(request) {
      const generated = await call<{ uploadUrl: string }>('POST', '/files/generate-upload-url', request)
      expect(generated.status).toBe(200)
      return generated.body.uploadUrl
    },
    async upload(bytes, request, put = {}) {
      const generated = await call<{ uploadUrl: string }>('POST', '/files/generate-upload-url', request)
      if (generated.status !== 200) return generated as never
      return putUpload(generated.body.uploadUrl, bytes, put.contentType ?? String(request.mimeType), put.filename || undefined)
    },
  }
}

/** Starts an emulator before the file's tests and closes it after. */
export function useEmulator(options: EmulatorOptions = {}): Api {
  const holder = {} as { api: Api }
  beforeAll(async () => {
    holder.api = apiFor(await startEmulator({ seed: 42, ...options }))
  })
  afterAll(async () => {
    await holder.api?.emulator.close()
  })
  return new Proxy({} as Api, { get: (_target, key) => holder.api[key as keyof Api] })
}

/** Starts an emulator for one test and always closes it. */
export async function withEmulator<T>(options: EmulatorOptions, run: (api: Api) => Promise<T>): Promise<T> {
  const emulator = await startEmulator({ seed: 42, ...options })
  try {
    return await run(apiFor(emulator))
  } finally {
    await emulator.close()
  }
}
