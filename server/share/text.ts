// Text of a share for places with a fixed font: the OpenGraph card renders with the bundled
// Inter Latin subset only, because any glyph it lacks (CJK, emoji, …) would make the renderer
// fetch a font or emoji image from the network.

/** Characters the bundled Inter Latin subset draws. */
const DRAWABLE = /^[\u0020-\u007E\u00A0-\u00FF\u2013\u2014\u2018\u2019\u201C\u201D\u2022\u2026]$/u;

/**
 * Keeps what the card's font can draw: letters outside Latin-1 lose their accents when that
 * makes them drawable (ő → o); anything else becomes a space; runs of spaces collapse.
 */
export function latinOnly(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    if (DRAWABLE.test(ch)) {
      out += ch;
      continue;
    }
    const bare = ch.normalize('NFKD').replace(/\p{M}/gu, '');
    out += bare && [...bare].every((c) => DRAWABLE.test(c)) ? bare : ' ';
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** At most `max` characters, cut at a word boundary when one is near, with an ellipsis. */
export function truncateText(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
