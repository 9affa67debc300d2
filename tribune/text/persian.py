"""Persian-aware text normalization shared by search and anything else that compares text.

`normalize` folds the spelling variants real Persian text mixes (PRODUCT.md, "Real-world Persian
text is messy") onto one form, so the same function applied at index time and at query time makes
every variant find the others. It is pure and cheap (one `str.translate` plus a few guarded
`str.replace` calls, about a microsecond per word), and imports nothing from search, so the
SQLite FTS5 reference benchmark and other callers use exactly the same folding.

What it folds:
- Arabic yeh ي and alef maksura ى -> Persian yeh ی; Arabic kaf ك (and swash kaf ڪ) -> Persian kaf ک.
- teh marbuta ة, heh with yeh above ۀ and heh + hamza above (ه + U+0654) -> ه.
- hamza-on-alef forms أ إ ٱ -> ا; madda alef آ is kept (it is a different letter in Persian), and
  its decomposed spelling ا + U+0653 is composed to آ first.
- ؤ -> و and ئ -> ی, after three contextual rules (see below).
- diacritics (harakat U+064B-065F, superscript alef U+0670, Quranic marks U+06D6-06ED and
  U+0610-061A, U+08D3-08FF), tatweel, ZWJ, bidi controls, soft hyphen, BOM and word joiner are
  dropped; Persian ۰-۹ and Arabic-Indic ٠-٩ digits become ASCII.
- Arabic presentation forms (U+FB50-FDFF, U+FE70-FEFC) get NFKC, and only they: NFKC on ordinary
  Persian text would decompose آ and ئ behind our back.
- Latin and everything else is casefolded and stripped of accents (laïque -> laique, Straße ->
  strasse), including text typed in decomposed (NFD) form.

ZWNJ (U+200C) is kept: it marks word-internal boundaries («می‌شود») that the search tokenizer
uses. `fold_zwnj` removes it for callers that want the joined spelling.

Hamza decisions, measured on the variants that actually occur:
- ئ -> ی is right for most words: رئیس/رییس, پائیز/پاییز, آئین/آیین, مسائل/مسایل.
- but «مسئله» is also spelled «مسأله» and «مساله»: there the hamza seat stands for alef. The
  substring rule «سئل» -> «سال» makes all three one word (it touches nothing else in common use).
- «سئوال» / «سؤال» / «سوال» and «مسئول» / «مسؤول» / «مسوول»: a hamza seat before و is dropped
  (ئو, ؤو -> و) and a doubled و is written once (also joins طاووس/طاوس, داوود/داود).
- a word-final «اء» loses its hamza: اعضاء/اعضا, ابتداء/ابتدا; so does a word-final «هء», the
  older spelling of the ezafe that ۀ and هٔ also write: ایستادهء/ایستادهٔ/ایستاده.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["ZWNJ", "fold_zwnj", "normalize"]

ZWNJ = "\u200c"

_PERSIAN_YEH = "\u06cc"
_PERSIAN_KAF = "\u06a9"
_HEH = "\u0647"
_ALEF = "\u0627"
_WAW = "\u0648"
_HAMZA_ABOVE = "\u0654"
_MADDA_ABOVE = "\u0653"
# Kept untranslated by the main table so the contextual hamza rules can still see them.
_YEH_HAMZA = "\u0626"  # ئ
_WAW_HAMZA = "\u0624"  # ؤ
_HAMZA = "\u0621"  # ء


def _drop(*ranges: tuple[int, int]) -> dict[int, None]:
    return {cp: None for start, end in ranges for cp in range(start, end + 1)}


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # Latin letters with accents: decompose, drop the marks, casefold. Precomputed so the hot
    # path is a single translate; covers Latin-1, Extended-A/B and Extended Additional.
    for start, end in ((0x00C0, 0x024F), (0x1E00, 0x1EFF)):
        for cp in range(start, end + 1):
            decomposed = unicodedata.normalize("NFKD", chr(cp))
            bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
            bare = "".join(c for c in bare if not unicodedata.combining(c))
            if bare != chr(cp):
                table[cp] = bare
    table.update(
        _drop(
            (0x0300, 0x036F),  # combining diacritics (NFD Latin: "lai\u0308que")
            (0x0610, 0x061A),  # Arabic honorific and Quranic signs
            (0x064B, 0x065F),  # harakat, incl. hamza above/below and madda
            (0x0670, 0x0670),  # superscript alef
            (0x06D6, 0x06ED),  # Quranic annotation marks
            (0x08D3, 0x08FF),  # extended Arabic marks
            (0x0640, 0x0640),  # tatweel
            (0x200D, 0x200D),  # ZWJ (ZWNJ U+200C is deliberately kept)
            (0x200E, 0x200F),  # LRM, RLM
            (0x202A, 0x202E),  # bidi embeddings and overrides
            (0x2066, 0x2069),  # bidi isolates
            (0x061C, 0x061C),  # Arabic letter mark
            (0x00AD, 0x00AD),  # soft hyphen
            (0x2060, 0x2060),  # word joiner
            (0xFEFF, 0xFEFF),  # BOM / zero-width no-break space
        )
    )
    table.update(
        {
            0x064A: _PERSIAN_YEH,  # ي Arabic yeh
            0x0649: _PERSIAN_YEH,  # ى alef maksura
            0x0643: _PERSIAN_KAF,  # ك Arabic kaf
            0x06AA: _PERSIAN_KAF,  # ڪ swash kaf
            0x0629: _HEH,  # ة teh marbuta
            0x06C0: _HEH,  # ۀ heh with yeh above
            0x0623: _ALEF,  # أ
            0x0625: _ALEF,  # إ
            0x0671: _ALEF,  # ٱ alef wasla
        }
    )
    for offset in range(10):
        table[0x06F0 + offset] = str(offset)  # Persian digits
        table[0x0660 + offset] = str(offset)  # Arabic-Indic digits
    return table


_TABLE = _build_table()
_HAMZA_SEATS = str.maketrans({_YEH_HAMZA: _PERSIAN_YEH, _WAW_HAMZA: _WAW})
_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]+")
_DOUBLE_WAW = re.compile(_WAW + "{2,}")
# A word-final hamza after alef (اعضاء / اعضا) or after heh, the old way of writing the ezafe
# that ۀ and هٔ also write (ایستادهء / ایستادهٔ / ایستاده).
_FINAL_HAMZA = re.compile(f"(?<=[{_ALEF}{_HEH}]){_HAMZA}(?!\\w)")
# Decomposed spellings, composed before marks are dropped so they fold like the composed ones.
_COMPOSE = (
    (_ALEF + _MADDA_ABOVE, "\u0622"),
    ("\u06cc" + _HAMZA_ABOVE, _YEH_HAMZA),
    ("\u064a" + _HAMZA_ABOVE, _YEH_HAMZA),
    ("\u0649" + _HAMZA_ABOVE, _YEH_HAMZA),
    (_WAW + _HAMZA_ABOVE, _WAW_HAMZA),
)


def _nfkc(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group())


def normalize(text: str) -> str:
    """Fold Persian/Arabic spelling variants, digits, marks and Latin case/accents to one form."""
    if _PRESENTATION_FORMS.search(text):
        text = _PRESENTATION_FORMS.sub(_nfkc, text)
    if _HAMZA_ABOVE in text or _MADDA_ABOVE in text:
        for decomposed, composed in _COMPOSE:
            text = text.replace(decomposed, composed)
    text = text.casefold().translate(_TABLE)
    # The hamza rules run after marks are gone, so a stray kasra cannot hide a pattern and a
    # second pass finds nothing left to change (normalize is idempotent).
    if _YEH_HAMZA in text or _WAW_HAMZA in text:
        text = text.replace("\u0633\u0626\u0644", "\u0633\u0627\u0644")  # سئل -> سال (مسئله)
        text = text.replace(_YEH_HAMZA + _WAW, _WAW).replace(_WAW_HAMZA + _WAW, _WAW)
        text = text.translate(_HAMZA_SEATS)
    if _WAW + _WAW in text:
        # مسوول (no hamza seat) meets مسئول/مسؤول; طاووس/طاوس and داوود/داود are variants too.
        text = _DOUBLE_WAW.sub(_WAW, text)
    if _HAMZA in text:
        text = _FINAL_HAMZA.sub("", text)
    return text


def fold_zwnj(text: str) -> str:
    """Remove zero-width non-joiners, giving the joined spelling («می‌شود» -> «میشود»)."""
    return text.replace(ZWNJ, "")
