/**
 * What a webpack or Rspack project's own `module.rules` do with a media file. The plugin hosts a
 * file that the rules treat as a plain asset (`type: 'asset/resource'` or `'asset'`, or no rule at
 * all); a file that they hand to a loader (`@svgr/webpack` makes a component of an SVG,
 * `file-loader` emits it, `responsive-loader` makes an object of it) or make `asset/inline` or
 * `asset/source` is the project's choice, and stays with the bundler, as `?raw` or `?inline` do.
 *
 * The rules are read as webpack reads them (`test`, `include`, `exclude`, `resource`,
 * `resourceQuery`, `issuer`, `dependency`, `oneOf`, nested `rules`; conditions as strings, regular
 * expressions, functions, arrays and `and`/`or`/`not`). A condition that cannot be told from here
 * (`descriptionData`, `issuerLayer`, `compiler`, …) is taken to hold: a rule that might hand the
 * file to a loader keeps it local, which a warning then says. The loaders of unplugin-based
 * plugins (this one's own `load` and `transform` among them) are not the project's.
 */

/** The request a rule is matched against: the file, its query (`''` or `?…`), who imports it, and how. */
export interface RuleInput {
  resource: string
  query: string
  /** The importing module's file; `undefined` when unknown (then `issuer` conditions are taken to hold). */
  issuer: string | undefined
  /** `esm`, `commonjs`, `url` (a CSS `url()`, a `new URL()`), …; `undefined` when unknown. */
  dependency: string | undefined
}

/** What the project's rules do with a file: the loaders they apply, and the module type they give it. */
export interface RuleEffects {
  loaders: string[]
  type: string | undefined
}

/** Module types under which a file is a plain asset, which the plugin hosts. */
const PLAIN_ASSET_TYPES = new Set([undefined, 'asset', 'asset/resource'])

/** The loaders of unplugin-based plugins (`…/unplugin/dist/webpack/loaders/load.mjs`). */
const UNPLUGIN_LOADER = /[\\/]unplugin[\\/]dist[\\/]/

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null

/** A webpack condition against one value: a string matches as a prefix, a RegExp as a test, an array as any of them. */
function matches(condition: unknown, value: string): boolean {
  if (typeof condition === 'string') return value.startsWith(condition)
  if (condition instanceof RegExp) {
    condition.lastIndex = 0
    return condition.test(value)
  }
  if (typeof condition === 'function') return Boolean((condition as (value: string) => unknown)(value))
  if (Array.isArray(condition)) return condition.some((item: unknown) => matches(item, value))
  if (isObject(condition)) {
    const { and, or, not } = condition as { and?: unknown[]; or?: unknown[]; not?: unknown }
    return (and === undefined || and.every((item) => matches(item, value))) &&
      (or === undefined || or.some((item) => matches(item, value))) &&
      (not === undefined || !matches(not, value))
  }
  return false
}

/** Whether a rule's own conditions hold for the request (its `oneOf` and `rules` aside). */
function applies(rule: Record<string, unknown>, input: RuleInput): boolean {
  // Any other condition (`descriptionData`, `issuerLayer`, `compiler`, `with`, …) is taken to hold.
  const { resource, query, issuer, dependency } = input
  const holds = (key: string, value: string | undefined) => rule[key] === undefined || value === undefined || matches(rule[key], value)
  return holds('test', resource) && holds('include', resource) && (rule.exclude === undefined || !matches(rule.exclude, resource)) &&
    holds('resource', resource) && holds('realResource', resource) && holds('resourceQuery', query) &&
    holds('issuer', issuer) && holds('dependency', dependency) &&
    // A file request has no scheme, no MIME type (data: URIs do) and no fragment here.
    holds('scheme', '') && holds('mimetype', '') && holds('resourceFragment', '')
}

/** The loader names of a rule's `loader`, `use` or `loaders`, unplugin's among them (a `use` function is called as webpack calls it). */
function loadersOf(rule: Record<string, unknown>, input: RuleInput): string[] {
  const entries: unknown[] = []
  const add = (use: unknown) => {
    if (typeof use === 'function') {
      add((use as (data: object) => unknown)({
        resource: input.resource, realResource: input.resource, resourceQuery: input.query, issuer: input.issuer ?? '',
      }))
    } else if (Array.isArray(use)) {
      for (const item of use) add(item)
    } else if (use !== undefined && use !== null && use !== false) {
      entries.push(use)
    }
  }
  add(rule.loader)
  add(rule.use)
  add(rule.loaders)
  return entries
    .map((entry) => (typeof entry === 'string' ? entry : isObject(entry) && typeof entry.loader === 'string' ? entry.loader : undefined))
    .filter((loader): loader is string => loader !== undefined && loader !== '')
    // `style-loader!css-loader` in one string, `loader?options`: each loader by its name.
    .flatMap((loader) => loader.split('!').filter(Boolean).map((part) => part.split('?', 1)[0]!))
}

function collect(rules: readonly unknown[], input: RuleInput, effects: RuleEffects): void {
  for (const rule of rules) {
    if (!isObject(rule) || !applies(rule, input)) continue
    const all = loadersOf(rule, input)
    const projects = all.filter((loader) => !UNPLUGIN_LOADER.test(loader))
    effects.loaders.push(...projects)
    // unplugin's own `load` rule types its modules `javascript/auto`; only a rule of the project's says what a file is.
    const unpluginOnly = all.length > 0 && projects.length === 0
    if (typeof rule.type === 'string' && !unpluginOnly) effects.type = rule.type
    if (Array.isArray(rule.rules)) collect(rule.rules, input, effects)
    if (Array.isArray(rule.oneOf)) {
      const first = rule.oneOf.find((item: unknown) => isObject(item) && applies(item, input))
      if (first) collect([first], input, effects)
    }
  }
}

/** What the project's rules do with the file in `input`. */
export function ruleEffects(rules: readonly unknown[], input: RuleInput): RuleEffects {
  const effects: RuleEffects = { loaders: [], type: undefined }
  collect(rules, input, effects)
  return effects
}

/** A loader's name as the user wrote it, or its package's name when it is a path into node_modules. */
function loaderName(loader: string): string {
  const inPackage = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(loader)
  return inPackage ? inPackage[1]!.replace(/\\/g, '/') : loader
}

/**
 * Why the project's rules keep a file with the bundler (`'the webpack rules give it to @svgr/webpack'`),
 * or `undefined` when they treat it as a plain asset, which the plugin hosts.
 */
export function keptByRules(rules: readonly unknown[], input: RuleInput, bundler: string): string | undefined {
  const { loaders, type } = ruleEffects(rules, input)
  if (loaders.length > 0) return `the ${bundler} rules give it to ${[...new Set(loaders.map(loaderName))].join(', ')}`
  if (!PLAIN_ASSET_TYPES.has(type)) return `the ${bundler} rules make it '${type}'`
  return undefined
}
