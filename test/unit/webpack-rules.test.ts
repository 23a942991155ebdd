/** Reading a webpack or Rspack project's `module.rules` for a media file: which loaders apply, which type wins, and what stays local. */
import { describe, expect, it } from 'vitest'
import { keptByRules, ruleEffects, type RuleInput } from '../../src/plugin/webpack-rules.ts'

const FILE = '/app/src/assets/icon.svg'
const input = (extra: Partial<RuleInput> = {}): RuleInput => ({ resource: FILE, query: '', issuer: '/app/src/main.js', dependency: 'esm', ...extra })
/** unplugin's own rules, as it adds them for a plugin with `load` and `transform`. */
const UNPLUGIN_RULES = [
  { use: () => [{ loader: '/app/node_modules/unplugin/dist/webpack/loaders/transform.mjs' }] },
  { include: () => true, use: [{ loader: '/app/node_modules/unplugin/dist/webpack/loaders/load.mjs', options: {} }], type: 'javascript/auto' },
]

describe('ruleEffects', () => {
  it('matches conditions as webpack does: a string as a path prefix, a RegExp, a function, an array (any), and/or/not', () => {
    const svgr = (condition: unknown) => ruleEffects([{ test: condition, use: ['@svgr/webpack'] }], input()).loaders
    expect(svgr('/app/src')).toEqual(['@svgr/webpack'])
    expect(svgr('/other')).toEqual([])
    expect(svgr(/\.svg$/)).toEqual(['@svgr/webpack'])
    expect(svgr(/\.png$/)).toEqual([])
    expect(svgr((path: string) => path.includes('icon'))).toEqual(['@svgr/webpack'])
    expect(svgr([/\.png$/, /\.svg$/])).toEqual(['@svgr/webpack'])
    expect(svgr({ and: [/\.svg$/, '/app'], not: /fonts/ })).toEqual(['@svgr/webpack'])
    expect(svgr({ or: [/\.png$/, /\.gif$/] })).toEqual([])
    expect(svgr({ not: /\.svg$/ })).toEqual([])
  })

  it('applies include, exclude, resource, resourceQuery and issuer; a global RegExp is not thrown off by its lastIndex', () => {
    const rule = (conditions: object) => ruleEffects([{ ...conditions, type: 'asset/inline' }], input({ query: '?v=2' })).type
    expect(rule({ include: '/app/src', exclude: /fonts/ })).toBe('asset/inline')
    expect(rule({ exclude: /assets/ })).toBeUndefined()
    expect(rule({ resource: /icon/ })).toBe('asset/inline')
    expect(rule({ resourceQuery: /inline/ })).toBeUndefined()
    expect(rule({ resourceQuery: /v=2/ })).toBe('asset/inline')
    expect(rule({ issuer: /\.css$/ })).toBeUndefined()
    expect(rule({ issuer: /\.js$/ })).toBe('asset/inline')
    expect(rule({ dependency: 'url' })).toBeUndefined()
    // Data URIs have a scheme and a MIME type; a file has neither.
    expect(rule({ scheme: /^data$/ })).toBeUndefined()
    const global = /\.svg$/g
    expect([rule({ test: global }), rule({ test: global })]).toEqual(['asset/inline', 'asset/inline'])
  })

  it('takes an unknown issuer, and conditions it cannot tell, to hold', () => {
    expect(ruleEffects([{ issuer: /\.css$/, use: ['x-loader'] }], input({ issuer: undefined })).loaders).toEqual(['x-loader'])
    expect(ruleEffects([{ descriptionData: { type: 'module' }, use: ['x-loader'] }], input()).loaders).toEqual(['x-loader'])
  })

  it('collects the loaders of every matching rule and nested `rules`, the first matching `oneOf`; the last type wins', () => {
    const effects = ruleEffects([
      { test: /\.svg$/, type: 'asset/resource' },
      { test: /\.svg$/, enforce: 'pre', loader: 'svgo-loader' },
      { rules: [{ test: /\.svg$/, use: 'style-loader!css-loader?modules' }] },
      { oneOf: [{ test: /\.png$/, use: ['a-loader'] }, { test: /\.svg$/, use: [{ loader: 'b-loader', options: {} }], type: 'asset/source' }, { use: ['c-loader'] }] },
    ], input())
    expect(effects).toEqual({ loaders: ['svgo-loader', 'style-loader', 'css-loader', 'b-loader'], type: 'asset/source' })
  })

  it('calls a `use` function with the request, as webpack does', () => {
    const seen: object[] = []
    const effects = ruleEffects([{ test: /\.svg$/, use: (data: object) => (seen.push(data), ['fn-loader']) }], input({ query: '?v=1' }))
    expect(effects.loaders).toEqual(['fn-loader'])
    expect(seen).toEqual([{ resource: FILE, realResource: FILE, resourceQuery: '?v=1', issuer: '/app/src/main.js' }])
  })

  it("leaves out unplugin's own rules: their loaders, and the type of its load rule", () => {
    expect(ruleEffects(UNPLUGIN_RULES, input())).toEqual({ loaders: [], type: undefined })
  })
})

describe('keptByRules', () => {
  it('hosts a plain asset: no rule, asset/resource or asset, beside unplugin\'s own rules', () => {
    expect(keptByRules(UNPLUGIN_RULES, input(), 'webpack')).toBeUndefined()
    expect(keptByRules([...UNPLUGIN_RULES, { test: /\.svg$/, type: 'asset/resource' }], input(), 'webpack')).toBeUndefined()
    expect(keptByRules([{ test: /\.svg$/, type: 'asset' }], input(), 'rspack')).toBeUndefined()
  })

  it('keeps what a loader or an inline or source type gets, and says which', () => {
    expect(keptByRules([{ test: /\.svg$/, use: ['/app/node_modules/@svgr/webpack/dist/index.js', 'svgo-loader'] }], input(), 'webpack'))
      .toBe('the webpack rules give it to @svgr/webpack, svgo-loader')
    expect(keptByRules([{ test: /\.svg$/, type: 'asset/inline' }], input(), 'rspack')).toBe("the rspack rules make it 'asset/inline'")
    expect(keptByRules([{ test: /\.svg$/, type: 'asset/source' }], input(), 'webpack')).toBe("the webpack rules make it 'asset/source'")
  })
})
