/** Seeded epoch-wise shuffling with per-image flip draws: the index stream the Segment and Detect batchers share. */
import { mulberry32, type Rng } from '../random';

export class EpochSampler {
  private readonly rng: Rng;
  private order: number[] = [];
  private pos = 0;
  private drawn = 0;

  /** `count` images; `flip` (live): flip each drawn image with probability 1/2. */
  constructor(
    private readonly count: number,
    seed: number,
    public flip: boolean,
  ) {
    if (count < 1) throw new Error('The training split has no images.');
    this.rng = mulberry32(seed);
  }

  /** Fractional epochs drawn so far. */
  get epochProgress(): number {
    return this.drawn / this.count;
  }

  /** The next `size` image indices (wrapping into a fresh Fisher–Yates shuffle at the end of an epoch), then one flip draw each. */
  next(size: number): { indices: number[]; flips: boolean[] } {
    const indices: number[] = [];
    while (indices.length < size) {
      if (this.pos >= this.order.length) this.reshuffle();
      indices.push(this.order[this.pos++]!);
    }
    this.drawn += size;
    return { indices, flips: indices.map(() => this.flip && this.rng() < 0.5) };
  }

  private reshuffle(): void {
    const o = Array.from({ length: this.count }, (_, i) => i);
    for (let i = o.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng() * (i + 1));
      [o[i], o[j]] = [o[j]!, o[i]!];
    }
    this.order = o;
    this.pos = 0;
  }
}
