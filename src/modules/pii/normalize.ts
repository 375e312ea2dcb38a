// Full-width → ASCII normalisation that keeps UTF-16 offsets: every full-width form U+FF01–U+FF5E
// and the ideographic space U+3000 is one code unit, and so is its ASCII counterpart, so a detection
// at [start, end) in the normalised text is at [start, end) in the original. Byte offsets are
// computed later from the original text (see offsets.ts).

// Fold only when full-width letters or digits are present: full-width punctuation (，：！) is
// everywhere in zh-TW text and needs no folding when no full-width identifier is present.
const WIDE_ALNUM = /[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/;

/** Returns the text with full-width ASCII forms folded to ASCII; the same string when there are none. */
export function foldWidth(text: string): string {
  if (!WIDE_ALNUM.test(text)) return text;
  let out = "";
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0xff01 && c <= 0xff5e) || c === 0x3000) {
      out += text.slice(last, i) + String.fromCharCode(c === 0x3000 ? 0x20 : c - 0xfee0);
      last = i + 1;
    }
  }
  return out + text.slice(last);
}
