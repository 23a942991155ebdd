/**
 * Errors the emulator answers with, in Wix's body shapes:
 * `{ message, details: { applicationError: { code, description, data } } }` or
 * `{ message, details: { validationError: { fieldViolations: [...] } } }`.
 */
import type { FileFieldViolation, WireError } from '../client/wire.ts'

export class WixHttpError extends Error {
  readonly status: number
  readonly body: WireError
  readonly headers: Readonly<Record<string, string>>

  constructor(status: number, body: WireError, headers: Record<string, string> = {}) {
    super(body.message)
    this.name = 'WixHttpError'
    this.status = status
    this.body = body
    this.headers = headers
  }
}

export function applicationError(
  status: number,
  code: string,
  description: string,
  data: Record<string, unknown> = {},
  headers?: Record<string, string>,
): WixHttpError {
  return new WixHttpError(status, { message: description, details: { applicationError: { code, description, data } } }, headers)
}

export function validationError(...fieldViolations: FileFieldViolation[]): WixHttpError {
  const message = fieldViolations.map((v) => `${v.field}: ${v.description}`).join('; ')
  return new WixHttpError(400, { message, details: { validationError: { fieldViolations } } })
}

/** A 400 for one of the Media Manager's named rules (`ZERO_FILE_SIZE`, `MISMATCH_MIME_TYPE`, …). */
export function ruleViolation(field: string, ruleName: string, description: string, data: Record<string, unknown> = {}): WixHttpError {
  return validationError({ field, description, violatedRule: 'OTHER', ruleName, data })
}

export function requiredField(field: string): WixHttpError {
  return validationError({ field, description: `${field} is required`, violatedRule: 'REQUIRED_FIELD', data: {} })
}

export function notFound(what: string, id: string): WixHttpError {
  return applicationError(404, 'RESOURCE_NOT_FOUND', `${what} ${id} was not found`, { id })
}

/** The bare body Wix sends with many 5xx answers. */
export function serverError(status: number): WixHttpError {
  return new WixHttpError(status, { message: '', details: {} })
}
