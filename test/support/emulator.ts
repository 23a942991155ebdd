/** Test helpers: an emulator per test file and a thin fetch wrapper that speaks Wix's wire format. */
import { afterAll, beforeAll } from 'vitest'
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
  /** Generates an upload URL and PUTs `bytes` to it; returns the upload answer. */
  upload<T = Record<string, unknown>>(bytes: Buffer, request: Record<string, unknown>, put?: { contentType?: string; filename?: string }): Promise<ApiAnswer<T>>
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
    const text = await response.text()
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as never }
  }
  return {
    emulator,
    call,
    async upload(bytes, request, put = {}) {
      const generated = await call<{ uploadUrl: string }>('POST', '/files/generate-upload-url', request)
      if (generated.status !== 200) return generated as never
      const url = new URL(generated.body.uploadUrl)
      if (put.filename) url.searchParams.set('filename', put.filename)
      const response = await fetch(url, {
        method: 'PUT',
        headers: { 'Content-Type': put.contentType ?? String(request.mimeType) },
        body: bytes,
      })
      const text = await response.text()
      return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as never }
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
