// Letters with diacritics → ASCII (é→e, ü→u, ß→ss, æ→ae, ø→o, å→a, ł→l). Letters of
// other scripts (Cyrillic, CJK, …) are left alone here; the character step deletes them.

const SPECIAL: Readonly<Record<string, string>> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  ø: 'o',
  Ø: 'O',
  ł: 'l',
  Ł: 'L',
  œ: 'oe',
  Œ: 'OE',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'TH',
  ı: 'i',
  ħ: 'h',
  Ħ: 'H',
  ŀ: 'l',
  Ŀ: 'L',
}

const NON_ASCII = /[^\x20-\x7e\t\r\n]/ // anything outside printable ASCII may need work
const COMBINING = /\p{M}/u

export function transliterate(s: string): string {
  if (!NON_ASCII.test(s)) return s
  let out = ''
  for (const ch of s) {
    if (ch.charCodeAt(0) < 0x80) {
      out += ch
      continue
    }
    const special = SPECIAL[ch]
    if (special !== undefined) {
      out += special
      continue
    }
    const base = ch.normalize('NFD')
    const first = base[0] ?? ''
    // only a Latin letter followed by combining marks is "a letter with diacritics"
    if (base.length > 1 && first.charCodeAt(0) < 0x80 && [...base.slice(1)].every((c) => COMBINING.test(c))) {
      out += first
    } else {
      out += ch
    }
  }
  return out
}
