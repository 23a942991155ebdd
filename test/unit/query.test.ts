import { describe, expect, it } from 'vitest'
import { asksForContent, HOSTED_QUERY, hostsQuery, splitQuery } from '../../src/plugin/query.ts'

describe('hostsQuery: only bare imports, ?url and cache-busters are hosted; other plugins keep their queries', () => {
  it.each(['', '?', '?url', '?import', '?url&import', `?${HOSTED_QUERY}`, `?url&${HOSTED_QUERY}`])('hosts %j', (query) => {
    expect(hostsQuery(query)).toBe(true)
  })

  it.each(['?v=2', '?url&v=2', '?t=1700000000', '?version=1.2.0', '?ver=3', '?_=1700000000', '?123', '?20240501', '?1.2.0', '?url#x', '?v=2#frag'])(
    'hosts the cache-busting (or fragment-only) %j: the hosted URL is content-addressed already', (query) => {
      expect(hostsQuery(query)).toBe(true)
    })

  it.each([
    '?raw', '?inline', '?url&inline', '?worker', '?react', '?component', '?w=300&format=webp', '?as=srcset', '?url&w=300',
    '?raw&v=2', '?v', '?v=a/b', '?abc', '?w=300&v=2',
  ])(
    'leaves %j to the bundler and its plugins', (query) => {
      expect(hostsQuery(query)).toBe(false)
    })

  it('asksForContent: ?raw, ?inline and component or worker queries ask for the content, not a URL; others do not', () => {
    for (const query of ['?raw', '?inline', '?raw&v=2', '?react', '?component', '?worker', '?url&inline']) expect(asksForContent(query), query).toBe(true)
    for (const query of ['?w=300', '?as=srcset', '?size=2', '?no-inline']) expect(asksForContent(query), query).toBe(false)
  })

  it('splitQuery keeps the path and the query apart', () => {
    expect(splitQuery('/a/b.png?url&x=1')).toEqual({ path: '/a/b.png', query: '?url&x=1' })
    expect(splitQuery('/a/b.png')).toEqual({ path: '/a/b.png', query: '' })
  })
})
