/** Reading fields of a JSON body with Wix-shaped validation errors (`fieldViolations`). */
import { requiredField, validationError } from '../wix-errors.ts'

type Body = Record<string, unknown>

const wrongType = (field: string, expected: string) =>
  validationError({ field, description: `must be ${expected}`, violatedRule: 'FORMAT', data: {} })

export function optionalString(body: Body, field: string, maxLength = Number.POSITIVE_INFINITY, path = field): string | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw wrongType(path, 'a string')
  if (value.length > maxLength) {
    throw validationError({ field: path, description: `must be at most ${maxLength} characters`, violatedRule: 'MAX_LENGTH', data: { max: maxLength } })
  }
  return value
}

export function requiredString(body: Body, field: string, maxLength?: number, path = field): string {
  const value = optionalString(body, field, maxLength, path)
  if (value === undefined || value === '') throw requiredField(path)
  return value
}

export function optionalBoolean(body: Body, field: string): boolean | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') throw wrongType(field, 'true or false')
  return value
}

export function optionalStringArray(
  body: Body,
  field: string,
  limits: { maxItems?: number; maxLength?: number } = {},
): string[] | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw wrongType(field, 'an array of strings')
  if (limits.maxItems !== undefined && value.length > limits.maxItems) {
    throw validationError({ field, description: `must have at most ${limits.maxItems} items`, violatedRule: 'MAX', data: { max: limits.maxItems } })
  }
  const tooLong = value.findIndex((item: string) => item.length > (limits.maxLength ?? Number.POSITIVE_INFINITY))
  if (tooLong !== -1) {
    throw validationError({ field: `${field}[${tooLong}]`, description: `must be at most ${limits.maxLength} characters`, violatedRule: 'MAX_LENGTH', data: {} })
  }
  return value as string[]
}

/** A 64-bit integer sent as a decimal string (numbers are accepted too). */
export function optionalDecimal(body: Body, field: string): number | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if ((typeof value === 'string' && /^\d+$/.test(value)) || (typeof value === 'number' && Number.isInteger(value) && value >= 0)) {
    return Number(value)
  }
  throw wrongType(field, 'a non-negative integer as a decimal string')
}

export function optionalObject(body: Body, field: string): Body | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value)) throw wrongType(field, 'an object')
  return value as Body
}
