/**
 * The key=value settings every headless script takes (`steps=300 width=1/16 encoder=conv`): one parser, so the scripts agree on
 * what a bad argument says. Unknown keys, arguments without '=', non-numbers and values outside a choice list throw a sentence.
 */
export interface KeyValues<C extends Readonly<Record<string, readonly string[]>>> {
  /** The raw value of a key, or undefined when not given. */
  get(key: string): string | undefined;
  /** A number (a fraction like 1/16 is read as its value); the fallback when not given. */
  num(key: string, fallback: number): number;
  /** One of the key's choices; the fallback when not given. */
  pick<K extends keyof C & string>(key: K, fallback: C[K][number]): C[K][number];
  /** A switch: anything but 'false' is true; the fallback when not given. */
  flag(key: string, fallback: boolean): boolean;
}

export function parseKeyValues<C extends Readonly<Record<string, readonly string[]>>>(
  args: readonly string[],
  known: ReadonlySet<string>,
  choices: C,
): KeyValues<C> {
  const raw = new Map<string, string>();
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq < 1) throw new Error(`argument "${a}" is not key=value`);
    const key = a.slice(0, eq);
    if (!known.has(key)) throw new Error(`unknown setting "${key}"; known: ${[...known].join(', ')}`);
    raw.set(key, a.slice(eq + 1));
  }
  return {
    get: (key) => raw.get(key),
    num(key, fallback) {
      const v = raw.get(key);
      if (v === undefined) return fallback;
      const parts = v.split('/');
      const n = parts.length === 2 ? Number(parts[0]) / Number(parts[1]) : Number(v);
      if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`${key}=${v} is not a number`);
      return n;
    },
    pick(key, fallback) {
      const v = raw.get(key) ?? fallback;
      if (!choices[key]!.includes(v)) throw new Error(`${key}=${v} is not one of ${choices[key]!.join(', ')}`);
      return v;
    },
    flag: (key, fallback) => (raw.has(key) ? raw.get(key) !== 'false' : fallback),
  };
}
