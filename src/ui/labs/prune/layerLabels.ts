/** Short display labels for conv kernel names ('layer2.0.conv1.kernel' → 'L2.0 c1'). */

const BLOCK = /^layer(\d+)\.(\d+)\.(.+)$/;

/** Abbreviate the part of a name inside a residual block: conv1 → c1, shortcut.conv → sc. */
function blockPart(part: string): string {
  if (part === 'shortcut' || part.startsWith('shortcut.')) return 'sc';
  const conv = /^conv(\d+)$/.exec(part);
  return conv ? `c${conv[1]}` : part;
}

/** One kernel name → its short label: drops '.kernel' and a trailing '.conv', shortens ResNet block names. */
export function shortLayerLabel(name: string): string {
  const base = name.replace(/\.kernel$/, '');
  const block = BLOCK.exec(base);
  if (block) return `L${block[1]}.${block[2]} ${blockPart(block[3]!)}`;
  return base.replace(/\.conv$/, '');
}

/** Labels for a list of names, unique: a short label shared by two names falls back to the name without '.kernel'. */
export function shortLayerLabels(names: readonly string[]): string[] {
  const short = names.map(shortLayerLabel);
  const seen = new Map<string, number>();
  for (const s of short) seen.set(s, (seen.get(s) ?? 0) + 1);
  return short.map((s, i) => (seen.get(s)! > 1 ? names[i]!.replace(/\.kernel$/, '') : s));
}
