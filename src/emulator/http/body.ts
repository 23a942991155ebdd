/** Reading request bodies: streamed, size-capped, and able to reset the connection part-way (a fault). */
import type { IncomingMessage } from 'node:http'
import { applicationError, validationError } from '../wix-errors.ts'

/** Thrown out of a body read when an injected fault reset the connection. */
export class ConnectionResetFault extends Error {
  constructor() {
    super('connection reset by an injected fault')
  }
}

/**
 * Yields the request body chunk by chunk. With `resetAfterBytes`, yields that many bytes, then
 * resets the TCP connection and throws {@link ConnectionResetFault}.
 */
export async function* bodyChunks(req: IncomingMessage, resetAfterBytes?: number): AsyncGenerator<Buffer> {
  let seen = 0
  for await (const raw of req as AsyncIterable<Buffer>) {
    if (resetAfterBytes !== undefined && seen + raw.length >= resetAfterBytes) {
      const part = raw.subarray(0, resetAfterBytes - seen)
      if (part.length > 0) yield part
      req.socket.resetAndDestroy()
      throw new ConnectionResetFault()
    }
    seen += raw.length
    yield raw
  }
  if (resetAfterBytes !== undefined) {
    req.socket.resetAndDestroy()
    throw new ConnectionResetFault()
  }
}

/** Reads and parses a JSON body; Wix-shaped 400/413 errors for malformed or oversized ones. */
export async function readJsonBody(chunks: AsyncIterable<Buffer>, limit: number): Promise<Record<string, unknown>> {
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of chunks) {
    size += chunk.length
    if (size > limit) {
      throw applicationError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes`, { limit })
    }
    parts.push(chunk)
  }
  const text = Buffer.concat(parts).toString('utf8').trim()
  if (text === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw validationError({ field: 'body', description: `is not valid JSON: ${(error as Error).message}`, violatedRule: 'FORMAT', data: {} })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationError({ field: 'body', description: 'must be a JSON object', violatedRule: 'FORMAT', data: {} })
  }
  return value as Record<string, unknown>
}
