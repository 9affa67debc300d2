"""Make tribune/static/fonts/Vazirmatn-Tribune.woff2: Vazirmatn cut to what Tribune's texts use.

The full font (tools/fonts/Vazirmatn-Variable.woff2, 111 KB) was two thirds of a cold page
(issue 14: a cold thread page must stay under 60 KB). The subset (about 40 KB) keeps:
- the letters, digits, punctuation and marks of Persian (with the Arabic yeh, kaf, teh marbuta
  and hamza forms that real posts mix in), Basic Latin and Latin-1 (English, German, French,
  Dutch; plus œ), ZWNJ/ZWJ, the direction marks and isolates, general punctuation and €;
- the layout features a browser needs to shape them (fonttools' default set: joining forms,
  required ligatures, marks, kerning), without the stylistic extras;
- the weight axis from 400 to 700, the weights the style sheet uses (lighter ones render 400).
Characters outside it (other Arabic-script languages, presentation forms pasted from old
documents) fall back to the reader's system font, which is why none is dropped silently: the
text itself is never changed. Run after updating the full font (build-time tools only):
    .venv/bin/pip install fonttools brotli && .venv/bin/python tools/subset_font.py
"""

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tools" / "fonts" / "Vazirmatn-Variable.woff2"
TARGET = ROOT / "tribune" / "static" / "fonts" / "Vazirmatn-Tribune.woff2"
UNICODES = ",".join(
    [
        "U+0020-007E",  # Basic Latin
        "U+00A0-00FF",  # Latin-1: « » é ä ö ü ß ç
        "U+0152-0153",  # Œ œ
        "U+060C,U+061B,U+061F",  # Arabic comma, semicolon, question mark
        "U+0621-063A",  # hamza, alef forms, the letters, teh marbuta, Arabic yeh/kaf's base
        "U+0640-0655",  # tatweel, Arabic kaf ك, yeh ي, alef maksura, harakat, hamza above
        "U+0660-066C",  # Arabic-Indic digits, percent and separators
        "U+0670",  # superscript alef
        "U+067E,U+0686,U+0698,U+06A9,U+06AF",  # پ چ ژ ک گ
        "U+06C0,U+06CC",  # ۀ ی
        "U+06F0-06F9",  # Persian digits
        "U+200C-200F",  # ZWNJ, ZWJ, LRM, RLM
        "U+2010-2027",  # dashes, quotes, bullet, ellipsis
        "U+2066-2069",  # direction isolates
        "U+20AC",  # €
        "U+25CC",  # dotted circle, for a mark shown alone
    ]
)
WEIGHTS = (400, 700)


def main() -> None:
    subset.main(
        [
            str(SOURCE),
            f"--unicodes={UNICODES}",
            "--flavor=woff2",
            "--no-hinting",
            "--desubroutinize",
            f"--output-file={TARGET}",
        ]
    )
    font = instancer.instantiateVariableFont(TTFont(TARGET), {"wght": WEIGHTS})
    font.flavor = "woff2"
    font.save(TARGET)
    print(f"{TARGET.relative_to(ROOT)}: {TARGET.stat().st_size:,} bytes "
          f"(from {SOURCE.stat().st_size:,})")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
