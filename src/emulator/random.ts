/** A small seeded PRNG (mulberry32): the same seed gives the same ids, faults and choices. */
export interface Random {
  /** A float in [0, 1). */
  next(): number
  /** `n` random lowercase hex characters. */
  hex(n: number): string
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  return {
    next,
    hex(n) {
      let out = ''
      while (out.length < n) out += Math.floor(next() * 4_294_967_296).toString(16).padStart(8, '0')
      return out.slice(0, n)
    },
  }
}
