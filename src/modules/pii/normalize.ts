// Full-width → ASCII normalisation that keeps UTF-16 offsets: every full-width form U+FF01–U+FF5E
// and the ideographic space U+3000 is one code unit, and so is its ASCII counterpart, so a detection
// at [start, end) in the normalised text is at [start, end) in the original. Byte offsets are
// computed later from the original text (see offsets.ts).

// Fold only when full-width letters or digits are present: full-width punctuation (，：！) is
// everywhere in zh-TW text and needs no folding when no full-width identifier is present.
const WIDE_ALNUM = /[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/;

/** Full-width characters that identifiers are written with: ＃（）＋－．／ digits ＠ letters. */
const FOLD = /[\uFF03\uFF08\uFF09\uFF0B\uFF0D-\uFF19\uFF20-\uFF3A\uFF41-\uFF5A\u3000]/g;
const foldOne = (c: string): string => (c === "\u3000" ? " " : String.fromCharCode(c.charCodeAt(0) - 0xfee0));

/** Returns the text with full-width identifier characters folded to ASCII; the same string when there are none. */
export function foldWidth(text: string): string {
  if (text.length <= 64) {
    // A cell or a value: a loop costs less than a regex call (this runs for every validated cell).
    let wide = false;
    for (let i = 0; i < text.length && !wide; i++) {
      const c = text.charCodeAt(i);
      wide = (c >= 0xff10 && c <= 0xff19) || (c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a); // WIDE_ALNUM
    }
    if (!wide) return text;
  } else if (!WIDE_ALNUM.test(text)) return text;
  return text.replace(FOLD, foldOne);
}
