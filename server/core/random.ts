// A small seeded PRNG (mulberry32) so generated data is the same on every machine.

export type Random = {
  next(): number; // [0, 1)
  int(min: number, max: number): number; // inclusive
  pick<T>(weighted: readonly { value: T; weight: number }[]): T;
};

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick(weighted) {
      const total = weighted.reduce((sum, w) => sum + w.weight, 0);
      let roll = next() * total;
      for (const w of weighted) {
        roll -= w.weight;
        if (roll < 0) return w.value;
      }
      return weighted[weighted.length - 1]!.value;
    },
  };
}
