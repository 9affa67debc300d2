"""Dark mode and print (issue 17): the pages follow the system's light or dark choice with text
contrast to WCAG AA in both, and a thread or a paper prints as a clean document."""

import pytest

from tribune.services import debate, debate_associations, posting

# Text against the background it is drawn on, as WCAG 2.1 computes it (1.4.3): 4.5:1, or 3:1
# for large text (24px, or 18.66px bold). The background is the nearest ancestor's that is not
# transparent, translucent ones blended over the next. Text hidden from sight is skipped.
CONTRAST_SCRIPT = """() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const blend = (top, under) => { const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]); };
  const lum = (c) => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05); };
  const background = (el) => { const layers = [];
    for (let n = el; n; n = n.parentElement) { const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let bg = [255, 255, 255, 1];
    if (layers.length && layers[layers.length - 1][3] >= 1) bg = layers.pop();
    while (layers.length) bg = blend(layers.pop(), bg);
    return bg; };
  const failures = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === "hidden" || style.display === "none") continue;
    if (box.width <= 1 || box.height <= 1) continue;
    if (el.closest(".visually-hidden, [hidden], .qr-code")) continue;
    const fg = parse(style.color); const bg = background(el);
    const size = parseFloat(style.fontSize); const bold = parseInt(style.fontWeight, 10) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    const found = ratio(fg[3] < 1 ? blend(fg, bg) : fg, bg);
    if (found < needed) failures.push(`${el.tagName.toLowerCase()}.${el.className}: ` +
      `${found.toFixed(2)} < ${needed} "${el.textContent.trim().slice(0, 40)}"`);
  }
  return failures;
}"""


@pytest.fixture
def paper(make_user, make_section, make_moderator):
    coordinator = make_user("coordinator", role="admin")
    sara, kaveh = make_user("sara"), make_user("kaveh")
    make_moderator("mina")
    section = make_section()
    from tribune.extensions import db
    from tribune.models import Association

    paris = Association(slug="paris", name="انجمن پاریس", city="Paris")
    db.session.add(paris)
    db.session.commit()
    debate_associations.confirm(coordinator, debate_associations.state_affiliation(kaveh, paris))
    thread = debate.publish_paper(
        sara, section, "چرا جمهوری دمکراتیک لائیک؟",
        "جدایی **کامل** دین از دولت. [منبع](https://example.org/source)",
        "fa", "جدایی دین از دولت، آزادی و برابری.", "جمهوری دمکراتیک لائیک",
    )  # fmt: skip
    signature = debate.sign(kaveh, thread, paris)
    debate.withdraw(kaveh, thread, signature)
    debate.sign(kaveh, thread, paris)
    posting.reply(kaveh, thread, "> نقل\n\nپاسخ با `کد` و فهرست:\n\n1. یک\n2. دو")
    return thread


def pages_of(paper):
    return ["/", f"/t/{paper.id}", "/papers/", "/accounts/u/kaveh/replies", "/help",
            "/search?q=لائیک", "/accounts/login", "/moderation/log", "/calendar/"]  # fmt: skip


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("locale", ["fa-IR", "en-GB"])
def test_text_contrast_is_aa_in_light_and_dark(browser, live_server, paper, scheme, locale):
    context = browser.new_context(locale=locale, color_scheme=scheme)
    page = context.new_page()
    try:
        if locale == "en-GB":
            page.goto(live_server.url + "/locale?locale=en&next=/")
            page.locator("button[value=en]").first.click()
        failures = {}
        for path in pages_of(paper):
            page.goto(live_server.url + path)
            found = page.evaluate(CONTRAST_SCRIPT)
            if found:
                failures[path] = found
        # The check itself sees a faint text when there is one.
        page.evaluate(
            """() => { const p = document.createElement("p"); p.textContent = "faint";
                 p.style.color = getComputedStyle(document.body).backgroundColor;
                 p.style.opacity = "1"; document.querySelector("main").append(p); }"""
        )
        assert any('"faint"' in f for f in page.evaluate(CONTRAST_SCRIPT))
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (background == "rgb(19, 23, 26)") == (scheme == "dark")
        assert failures == {}
    finally:
        context.close()


def test_a_paper_prints_as_a_clean_document(browser, live_server, paper):
    context = browser.new_context(locale="fa-IR")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/t/{paper.id}")
        page.emulate_media(media="print")
        shown = page.evaluate(
            """() => Array.from(document.querySelectorAll(
                 'header.site-header, footer.site-footer, nav, form, button, .post-actions'))
               .filter(e => e.getClientRects().length > 0).map(e => e.outerHTML.slice(0, 80))"""
        )
        assert shown == []
        text = page.locator("main").inner_text()
        assert "چرا جمهوری دمکراتیک لائیک؟" in text and "جدایی دین از دولت" in text
        assert f"{live_server.url}/t/{paper.id}" in text  # the permanent link, as text
        assert f"{live_server.url}/p/" in text
        # Dates in both calendars: the other one, from the tooltip, is written out in print.
        after = page.evaluate(
            "getComputedStyle(document.querySelector('main time[title]'), '::after').content"
        )
        title = page.locator("main time[title]").first.get_attribute("title")
        assert title and title in after
        assert page.locator(".signatories").is_visible()
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    finally:
        context.close()
