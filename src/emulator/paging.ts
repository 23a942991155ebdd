/**
 * Sorting and cursor paging as the Media Manager does it: `paging.limit` ≤ 100, an opaque
 * `cursors.next` that is absent on the last page. Cursors are keyset cursors (the last item's sort
 * key and id), so files added or removed between pages neither repeat nor vanish.
 */
import { validationError } from './wix-errors.ts'

type SortOrder = 'ASC' | 'DESC'

export interface PageRequest {
  fieldName?: string
  order?: string
  limit?: number | string
  cursor?: string
}

export interface Page<T> {
  items: T[]
  nextCursor: { cursors: { next?: string } }
}

interface CursorState {
  f: string
  o: SortOrder
  v: string | number
  id: string
}

const DEFAULT_LIMIT = 50
const MAX_LIMIT = 100

function badPaging(field: string, description: string, violatedRule: 'MAX' | 'MIN' | 'FORMAT' = 'FORMAT') {
  return validationError({ field, description, violatedRule, data: {} })
}

/** The sort and paging of a GET list (`sort.fieldName`, `sort.order`, `paging.limit`, `paging.cursor`). */
export function pageRequestFromQuery(query: URLSearchParams): PageRequest {
  return {
    fieldName: query.get('sort.fieldName') ?? undefined,
    order: query.get('sort.order') ?? undefined,
    limit: query.get('paging.limit') ?? undefined,
    cursor: query.get('paging.cursor') ?? undefined,
  }
}

/** Sorts `items` by `fields[fieldName]` (then id) and cuts the page that `cursor` points at. */
export function paginate<T extends { id: string }>(
  items: readonly T[],
  fields: Readonly<Record<string, (item: T) => string | number>>,
  defaultField: string,
  request: PageRequest,
): Page<T> {
  const fieldName = request.fieldName || defaultField
  const keyOf = fields[fieldName]
  if (!keyOf) throw badPaging('sort.fieldName', `must be one of ${Object.keys(fields).join(', ')}`)
  const orderText = (request.order || (request.fieldName ? 'ASC' : 'DESC')).toUpperCase()
  if (orderText !== 'ASC' && orderText !== 'DESC') throw badPaging('sort.order', 'must be ASC or DESC')
  const order: SortOrder = orderText
  const limit = request.limit === undefined || request.limit === '' ? DEFAULT_LIMIT : Number(request.limit)
  if (!Number.isInteger(limit) || limit < 1) throw badPaging('paging.limit', 'must be a whole number from 1 to 100', 'MIN')
  if (limit > MAX_LIMIT) throw badPaging('paging.limit', `must be at most ${MAX_LIMIT}`, 'MAX')

  const sign = order === 'ASC' ? 1 : -1
  const compareKeys = (a: string | number, aId: string, b: string | number, bId: string) =>
    (a < b ? -1 : a > b ? 1 : aId < bId ? -1 : aId > bId ? 1 : 0) * sign
  const sorted = [...items].sort((a, b) => compareKeys(keyOf(a), a.id, keyOf(b), b.id))

  let start = 0
  if (request.cursor) {
    const after = decodeCursor(request.cursor)
    if (after.f !== fieldName || after.o !== order) throw badPaging('paging.cursor', 'belongs to another sort order')
    start = sorted.findIndex((item) => compareKeys(keyOf(item), item.id, after.v, after.id) > 0)
    if (start === -1) start = sorted.length
  }
  const page = sorted.slice(start, start + limit)
  const last = page.at(-1)
  const more = start + limit < sorted.length && last !== undefined
  return {
    items: page,
    nextCursor: { cursors: more ? { next: encodeCursor({ f: fieldName, o: order, v: keyOf(last), id: last.id }) } : {} },
  }
}

function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url')
}

function decodeCursor(cursor: string): CursorState {
  try {
    const state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorState
    if (typeof state.f === 'string' && typeof state.id === 'string' && (state.o === 'ASC' || state.o === 'DESC')) return state
  } catch {
    // fall through
  }
  throw badPaging('paging.cursor', 'is not a cursor this API returned')
}
