import { describe, expect, it } from 'vitest'
import { HOSTED_QUERY, hostsQuery, splitQuery } from '../../src/plugin/query.ts'

describe('hostsQuery: only bare imports and ?url are hosted; other plugins keep their queries', () => {
  it.each(['', '?', '?url', '?import', '?url&import', `?${HOSTED_QUERY}`, `?url&${HOSTED_QUERY}`])('hosts %j', (query) => {
    expect(hostsQuery(query)).toBe(true)
  })

  it.each(['?raw', '?inline', '?url&inline', '?worker', '?react', '?component', '?w=300&format=webp', '?as=srcset', '?url&w=300'])(
    'leaves %j to the bundler and its plugins', (query) => {
      expect(hostsQuery(query)).toBe(false)
    })

  it('splitQuery keeps the path and the query apart', () => {
    expect(splitQuery('/a/b.png?url&x=1')).toEqual({ path: '/a/b.png', query: '?url&x=1' })
    expect(splitQuery('/a/b.png')).toEqual({ path: '/a/b.png', query: '' })
  })
})
