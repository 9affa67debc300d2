"""normalize() folds the variants real Persian text mixes; fold_zwnj() joins compounds."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tribune.text.persian import ZWNJ, fold_zwnj, normalize

SAME = [
    # Arabic letters typed on an Arabic keyboard
    ("كتاب", "کتاب"),
    ("علي", "علی"),
    ("على", "علی"),
    # heh forms
    ("مدرسة", "مدرسه"),
    ("خانۀ", "خانه"),
    ("خانه\u0654", "خانه"),
    # hamza-on-alef forms; madda alef is a letter of its own and stays
    ("أحمد", "احمد"),
    ("إسلام", "اسلام"),
    ("ٱلله", "الله"),
    ("آینده", "آینده"),
    ("ا\u0653ینده", "آینده"),
    # hamza seats: one spelling per word however it was typed
    ("مسئله", "مساله"),
    ("مسأله", "مساله"),
    ("مسائل", "مسایل"),
    ("رئیس", "رییس"),
    ("ری\u0654یس", "رییس"),
    ("پائیز", "پاییز"),
    ("سئوال", "سوال"),
    ("سؤال", "سوال"),
    ("مسئول", "مسوول"),
    ("مسؤول", "مسوول"),
    ("اعضاء", "اعضا"),
    # the ezafe after a final heh, in its three spellings, and a hamza that belongs to the word
    ("ايستادهء", "ایستاده"),
    ("ایستادهٔ", "ایستاده"),
    ("ایستادۀ", "ایستاده"),
    ("شیء", "شیء"),
    # marks and invisible characters
    ("کِتابْ", "کتاب"),
    ("مُحَمَّد", "محمد"),
    ("رحمٰن", "رحمن"),
    ("ســـلام", "سلام"),
    ("سل\u200dام", "سلام"),
    ("\u200fسلام\u200e", "سلام"),
    ("\u202bسلام\u202c", "سلام"),
    ("\u2067سلام\u2069", "سلام"),
    ("Demo\u00adkratie", "demokratie"),
    # digits
    ("۲۰۱۰", "2010"),
    ("٢٠١٠", "2010"),
    ("۲٠١٠", "2010"),
    ("٨ فروردين ۱٣٨۹", "8 فروردین 1389"),
    # Arabic presentation forms (NFKC only for them)
    ("ﻛﺘﺎﺏ", "کتاب"),
    ("ﻻ", "لا"),
    # Latin: casefold and accents, also typed decomposed
    ("Laïque", "laique"),
    ("lai\u0308que", "laique"),
    ("République", "republique"),
    ("Straße", "strasse"),
    ("ÉLECTIONS", "elections"),
]


@pytest.mark.parametrize(("variant", "canonical"), SAME)
def test_variants_fold_to_one_form(variant, canonical):
    assert normalize(variant) == normalize(canonical)


def test_canonical_letters_are_persian():
    assert normalize("كي") == "\u06a9\u06cc"
    assert normalize("ة") == "\u0647"
    assert normalize("آ") == "\u0622"


def test_zwnj_is_kept_and_fold_zwnj_joins():
    assert normalize("می‌شود") == f"می{ZWNJ}شود"
    assert fold_zwnj(normalize("می‌شود")) == "میشود"
    assert fold_zwnj("کانون‌های") == normalize("کانونهای")


def test_different_words_stay_different():
    assert normalize("کتاب") != normalize("کتب")
    assert normalize("آینده") != normalize("اینده")
    assert normalize("زن") != normalize("زنان")


persian_soup = st.text(
    alphabet=st.sampled_from(
        list("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیءآأإؤئةۀيكى")
        + ["\u064b", "\u064e", "\u0650", "\u0651", "\u0652", "\u0653", "\u0654", "\u0670"]
        + ["\u0640", "\u200c", "\u200d", "\u200f", "\u00ad", "۱", "٢", " ", "\ufe8b", "\ufdfa"]
        + list('AÉßİéi\u0308-:"')
    )
)
any_text = st.one_of(st.text(), persian_soup)


@given(any_text)
def test_normalize_is_total_and_idempotent(text):
    once = normalize(text)
    assert isinstance(once, str)
    assert normalize(once) == once


@given(any_text)
def test_fold_zwnj_is_idempotent_and_removes_every_zwnj(text):
    folded = fold_zwnj(text)
    assert ZWNJ not in folded
    assert fold_zwnj(folded) == folded
