import { expect, it } from 'vitest'
import { belowNodeFloor, NODE_FLOOR, nodeTooOld } from '../../src/core/node-floor.ts'
import manifest from '../../package.json' with { type: 'json' }

it('tells a Node older than the engines floor (22.19.0) from one that is not', () => {
  expect(manifest.engines.node).toBe(`>=${NODE_FLOOR}`)
  for (const old of ['20.19.4', '22.18.9', '22.9.0', '18.20.0', '21.99.0']) expect(belowNodeFloor(old), old).toBe(true)
  for (const current of ['22.19.0', '22.19.1', '22.20.0', '23.0.0', '24.21.0', '100.0.0']) expect(belowNodeFloor(current), current).toBe(false)
})

it('says what is wrong on an old Node, and nothing on a current one', () => {
  expect(nodeTooOld('20.19.4')).toBe('Node 20.19.4 is too old; unplugin-wix-media needs Node 22.19.0 or newer')
  expect(nodeTooOld('24.21.0')).toBeUndefined()
})
