/** scanFiles on real temp trees: globs, .gitignore rules (nested, negated), default excludes, symlink loops, order. */
import { statSync } from 'node:fs'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_EXCLUDE, resolveOptions } from '../../src/core/options.ts'
import { scanFiles, scanTree, type Observed } from '../../src/core/scan.ts'

let root: string

async function tree(files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeFile(join(root, path), content)
  }
}

/** The defaults a user gets: every media extension; node_modules, dist, .git and build output left out. */
function defaults() {
  const { include, exclude } = resolveOptions({ root }, {})
  return { root, include, exclude }
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wix-media-scan-'))
})

afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('scanFiles', () => {
  it('applies include and exclude globs', async () => {
    await tree({
      'src/a.png': '', 'src/b.jpg': '', 'src/c.txt': '', 'src/skip/d.png': '', 'assets/e.svg': '', 'f.png': '',
    })
    expect(await scanFiles({ root, include: ['src/**/*.png', 'assets/*.svg'], exclude: ['**/skip/**'] }))
      .toEqual(['assets/e.svg', 'src/a.png'])
    expect(await scanFiles({ root, include: ['**/*.{png,jpg}'], exclude: [] }))
      .toEqual(['f.png', 'src/a.png', 'src/b.jpg', 'src/skip/d.png'])
  })

  it('leaves out node_modules, dist and .git by default, and non-media files', async () => {
    await tree({
      'node_modules/pkg/logo.png': '', 'packages/x/node_modules/y/icon.svg': '', 'dist/out.png': '', '.git/x.png': '',
      'docs/manual.pdf': '', 'img/photo.webp': '', 'readme.md': '', 'script.js': '',
    })
    expect(await scanFiles(defaults())).toEqual(['docs/manual.pdf', 'img/photo.webp'])
  })

  it('walks dot folders (VitePress, Storybook), as a build hosts what it imports from them; .gitignore still applies', async () => {
    await tree({
      '.vitepress/theme/hero.png': '', '.storybook/assets/logo.svg': '', 'docs/.vuepress/public/cover.jpg': '',
      '.gitignore': '.next/\n', '.next/static/media/hero.1a2b.png': '',
    })
    expect(await scanFiles(defaults())).toEqual(['.storybook/assets/logo.svg', '.vitepress/theme/hero.png', 'docs/.vuepress/public/cover.jpg'])
  })

  it('leaves out the build output and caches of the common frameworks by default, even where git does not ignore them', async () => {
    await tree({
      '.next/static/media/hero.1a2b.png': '', 'apps/web/.svelte-kit/output/client/logo.svg': '', '.vercel/output/static/a.jpg': '',
      '.nuxt/dist/client/b.webp': '', '.vitepress/cache/deps/c.png': '', '.vitepress/dist/assets/d.png': '', '.turbo/e.png': '',
      '.vitepress/theme/hero.png': '', 'src/.next-gen/f.png': '',
    })
    expect(await scanFiles(defaults())).toEqual(['.vitepress/theme/hero.png', 'src/.next-gen/f.png'])
    // An `exclude` of the project's own replaces the default; DEFAULT_EXCLUDE is there to extend.
    expect(await scanFiles({ ...defaults(), exclude: ['**/node_modules/**'] })).toHaveLength(9)
    expect(await scanFiles({ ...defaults(), exclude: [...DEFAULT_EXCLUDE, 'src/**'] })).toEqual(['.vitepress/theme/hero.png'])
  })

  it('never walks version control folders, even when `exclude` leaves them in', async () => {
    await tree({ '.git/objects/x.png': '', 'sub/.git/y.png': '', '.hg/z.png': '', '.svn/w.png': '', 'a.png': '' })
    expect(await scanFiles({ root, include: ['**/*.png'], exclude: [] })).toEqual(['a.png'])
    // No folder of theirs is read (git's info/exclude is stat'ed as an ignore file, not walked).
    const folders = (await scanTree({ root, include: ['**/*.png'], exclude: [] })).observed.map((entry) => entry.path).filter((path) => path.endsWith('/'))
    expect(folders).not.toContainEqual(expect.stringMatching(/^(\.git|\.hg|\.svn|sub\/\.git)\//))
  })

  it('leaves out dot files (macOS\'s ._photo.jpg) unless an include glob names them', async () => {
    await tree({ 'img/photo.jpg': '', 'img/._photo.jpg': '', '.vitepress/._hero.png': '', 'img/.keep.png': '' })
    expect(await scanFiles(defaults())).toEqual(['img/photo.jpg'])
    expect(await scanFiles({ root, include: ['**/*.jpg', 'img/.keep.png'], exclude: [] })).toEqual(['img/.keep.png', 'img/photo.jpg'])
    expect(await scanFiles({ root, include: ['**/.*.png'], exclude: [] })).toEqual(['.vitepress/._hero.png', 'img/.keep.png'])
    // Without .gitignore handling too.
    expect(await scanFiles({ root, include: ['**/*.{jpg,png}'], exclude: [], gitignore: false })).toEqual(['img/photo.jpg'])
  })

  it('respects a root .gitignore and a subfolder .gitignore with a negation', async () => {
    await tree({
      '.gitignore': 'generated/\n*.tmp.png\n',
      'generated/big.png': '',
      'a.png': '', 'a.tmp.png': '',
      'sub/.gitignore': '*.png\n!keep.png\n',
      'sub/drop.png': '', 'sub/keep.png': '', 'sub/clip.mp4': '',
      'sub/deeper/drop2.png': '', 'sub/deeper/keep.png': '',
      'other/drop.png': '',
    })
    expect(await scanFiles(defaults())).toEqual(['a.png', 'other/drop.png', 'sub/clip.mp4', 'sub/deeper/keep.png', 'sub/keep.png'])
  })

  it('lets a deeper .gitignore re-include what a shallower one ignores, as git does', async () => {
    await tree({
      '.gitignore': '*.png\n',
      'top.png': '', 'top.jpg': '',
      'sub/.gitignore': '!keep.png\n',
      'sub/keep.png': '', 'sub/other.png': '',
    })
    expect(await scanFiles(defaults())).toEqual(['sub/keep.png', 'top.jpg'])
  })

  it('does not re-include a file whose folder an upper .gitignore ignores, as git does', async () => {
    await tree({
      '.gitignore': 'private/\n',
      'private/.gitignore': '!keep.png\n',
      'private/keep.png': '',
      'public.png': '',
    })
    expect(await scanFiles(defaults())).toEqual(['public.png'])
  })

  it('applies, as git does, the .gitignore files above the root up to the top of its repository, and .git/info/exclude', async () => {
    await tree({
      '.git/HEAD': 'ref: refs/heads/main\n', '.git/info/exclude': 'local-only/\n',
      '.gitignore': 'generated/\n*.tmp.png\n/packages/site-b/build/\n',
      'packages/.gitignore': '!keep.tmp.png\n',
      'packages/site-b/img/a.png': '', 'packages/site-b/img/x.tmp.png': '', 'packages/site-b/img/keep.tmp.png': '',
      'packages/site-b/generated/g.png': '', 'packages/site-b/build/b.png': '', 'packages/site-b/local-only/l.png': '',
    })
    const site = { root: join(root, 'packages/site-b'), include: ['**/*.png'], exclude: [] }
    expect(await scanFiles(site)).toEqual(['img/a.png', 'img/keep.tmp.png'])
    // Each one is observed (there or not): a new or edited ignore file above the root is a change.
    const { observed } = await scanTree(site)
    expect(observed.map((entry) => entry.path)).toEqual(expect.arrayContaining(['../../.git/info/exclude', '../../.gitignore', '../.gitignore']))
    // Outside a repository, nothing above the root applies.
    await rm(join(root, '.git'), { recursive: true })
    expect(await scanFiles(site)).toContain('generated/g.png')
  })

  it('ignores .gitignore files when asked to', async () => {
    await tree({ '.gitignore': '*.png\n', 'a.png': '' })
    expect(await scanFiles({ ...defaults(), gitignore: false })).toEqual(['a.png'])
    expect(await scanFiles(defaults())).toEqual([])
  })

  it('does not read .gitignore files inside excluded folders', async () => {
    await tree({ 'node_modules/.gitignore': '*\n', 'a.png': '' })
    expect(await scanFiles(defaults())).toEqual(['a.png'])
  })

  it('matches extensions case-insensitively', async () => {
    await tree({ 'UPPER.PNG': '', 'Mixed.JpEg': '', 'lower.png': '', 'clip.MP4': '', 'notes.TXT': '' })
    expect(await scanFiles(defaults())).toEqual(['Mixed.JpEg', 'UPPER.PNG', 'clip.MP4', 'lower.png'])
  })

  it('returns sorted, /-separated project-relative paths', async () => {
    await tree({ 'b/z.png': '', 'a/y/x.png': '', 'a/b.png': '', 'c.png': '' })
    const found = await scanFiles(defaults())
    expect(found).toEqual(['a/b.png', 'a/y/x.png', 'b/z.png', 'c.png'])
    for (const path of found) {
      expect(path).not.toContain('\\')
      expect(path.startsWith('/')).toBe(false)
    }
  })

  it('follows a symlinked folder, survives a link to its own parent, and lists each file once', async () => {
    await tree({ 'real/photo.png': '', 'top.png': '', 'elsewhere/linked.png': '' })
    await symlink(root, join(root, 'real', 'loop'), 'dir')
    await symlink(join(root, 'elsewhere'), join(root, 'alias'), 'dir')
    const started = performance.now()
    const found = await scanFiles(defaults())
    expect(performance.now() - started).toBeLessThan(3_000)
    expect(new Set(found).size).toBe(found.length)
    expect(found.filter((path) => path.endsWith('photo.png'))).toEqual(['real/photo.png'])
    expect(found.filter((path) => path.endsWith('top.png'))).toEqual(['top.png'])
    expect(found.filter((path) => path.endsWith('linked.png'))).toEqual(['alias/linked.png', 'elsewhere/linked.png'])
  })

  it('does not blow up on two loops (fast-glob alone walks them 2^40 times)', async () => {
    await tree({ 'a/x.png': '', 'b/y.png': '', 'top.png': '' })
    await symlink('..', join(root, 'a', 'up'), 'dir')
    await symlink('..', join(root, 'b', 'up'), 'dir')
    await symlink('../..', join(root, 'b', 'above'), 'dir')
    const started = performance.now()
    expect(await scanFiles(defaults())).toEqual(['a/x.png', 'b/y.png', 'top.png'])
    expect(performance.now() - started).toBeLessThan(3_000)
  })

  it('stops a loop through two links, and a loop inside a linked folder outside the root', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'wix-media-scan-outside-'))
    try {
      await tree({ 'a/in-a.png': '', 'b/in-b.png': '' })
      await symlink(join(root, 'b'), join(root, 'a', 'to-b'), 'dir')
      await symlink(join(root, 'a'), join(root, 'b', 'to-a'), 'dir')
      await writeFile(join(outside, 'shared.png'), '')
      await symlink(outside, join(outside, 'self'), 'dir')
      await symlink(outside, join(root, 'shared'), 'dir')
      const found = await scanFiles(defaults())
      expect(found).toEqual(['a/in-a.png', 'a/to-b/in-b.png', 'b/in-b.png', 'b/to-a/in-a.png', 'shared/shared.png'])
    } finally {
      await rm(outside, { recursive: true, force: true })
    }
  })

  it('skips a link to itself (ELOOP), a folder link or a file link, and a dangling link, instead of failing the scan', async () => {
    await tree({ 'img/a.png': '' })
    await mkdir(join(root, 'loop'))
    await symlink('selfdir', join(root, 'loop', 'selfdir'), 'dir')
    await symlink('self.png', join(root, 'img', 'self.png'))
    await symlink('gone.png', join(root, 'img', 'dangling.png'))
    expect(await scanFiles({ root, include: ['**/*.png'], exclude: [] })).toEqual(['img/a.png'])
    const { observed } = await scanTree({ root, include: ['**/*.png'], exclude: [] })
    expect(observed.find((entry) => entry.path === 'loop/selfdir')).toMatchObject({ stats: undefined })
  })

  it('returns nothing for an empty or missing root', async () => {
    expect(await scanFiles(defaults())).toEqual([])
    expect(await scanFiles({ ...defaults(), root: join(root, 'missing') })).toEqual([])
  })
})

describe('scanTree: what the result depends on', () => {
  const observedPaths = (observed: readonly Observed[]) => [...new Set(observed.map((entry) => `${entry.path}${entry.stats ? '' : ' (missing)'}`))].sort()

  it('every folder read and every .gitignore applied, each with its stats; a pattern\'s missing base folder as missing', async () => {
    await tree({ '.gitignore': 'ignored/\n', 'img/a.png': '', 'img/sub/b.png': '', 'ignored/c.png': '', 'node_modules/x/d.png': '' })

    const scan = await scanTree(defaults())

    expect(scan.paths).toEqual(['img/a.png', 'img/sub/b.png'])
    expect(observedPaths(scan.observed)).toEqual(['./', '.gitignore', 'ignored/', 'img/', 'img/sub/'])
    const img = scan.observed.find((entry) => entry.path === 'img/')!
    expect(img.stats?.ino).toBe(statSync(join(root, 'img')).ino)

    const based = await scanTree({ root, include: ['src/**/*.png', 'img/*.png'], exclude: [], gitignore: false })
    expect(based.paths).toEqual(['img/a.png'])
    expect(observedPaths(based.observed)).toEqual(['img/', 'src/ (missing)'])
  })
})
