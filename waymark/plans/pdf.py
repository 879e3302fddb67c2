"""The plan as a printable PDF, and a one-page wallet card with the crisis steps: both render
the plan's Document, as the page does, so the three cannot disagree. fpdf2 is pure Python. Text
is set in Source Sans Pro (© Adobe) from the font-source-sans-pro package; a character it lacks
(a name in Hebrew, Arabic or Chinese, an emoji) falls back, glyph by glyph, to IBM Plex Sans
Arabic (fontpkg-ibm-plex-sans-arabic), to Noto Sans, its faces for other scripts and Noto Emoji
(monochrome, so it prints) from manimgx-fonts, or to Noto Sans CJK (noto-cjk-sans-jp-regular).
Text that needs it is shaped by HarfBuzz (uharfbuzz): Arabic letters join, and right-to-left
runs read right to left. All the fonts are under the SIL Open Font License 1.1 and installed by
`make`: nothing is fetched at run time."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from functools import cache
from importlib.resources import files
from typing import Any, NamedTuple, cast

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import override
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import TextEmphasis, XPos, YPos
from fpdf.fonts import FontFace

from waymark.plans.document import DocBlock, DocSection, Document

FONTS, NOTO = files("font_source_sans_pro") / "files", files("manimgx_fonts")
PLEX = files("fontpkg_ibm_plex_sans_arabic") / "files"
FAMILY, FACES = "SourceSansPro", {"": "Regular", "B": "Bold", "I": "It"}  # {FAMILY}-{face}.ttf
SCRIPTS = (  # Noto Sans faces for the scripts Source Sans Pro lacks: NotoSans{script}[wght].ttf
    *("Hebrew", "Arabic", "Armenian", "Georgian", "Ethiopic", "Devanagari", "Bengali"),
    *("Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam", "Sinhala"),
    *("Thai", "Lao", "Myanmar", "Khmer"),
)
FALLBACKS = {  # family: {style: file}, tried in this order. Noto's are variable fonts, drawn
    # at their default, regular weight (HarfBuzz, in fpdf2, would space a bold instance as the
    # regular); the CJK font, 16 MB, is the slowest to load.
    "NotoSans": {"": NOTO / "NotoSans[wght].ttf", "I": NOTO / "NotoSans-Italic[wght].ttf"},
    # Plex's letters are whole glyphs (Noto's are dotless letters and dots): they copy as text.
    "IBMPlexSansArabic": {"": PLEX / "IBMPlexSansArabic-Regular.ttf",
                          "B": PLEX / "IBMPlexSansArabic-Bold.ttf"},
    **{f"NotoSans{script}": {"": NOTO / f"NotoSans{script}[wght].ttf"} for script in SCRIPTS},
    "NotoEmoji": {"": NOTO / "NotoEmoji[wght].ttf"},
    "NotoSansSymbols": {"": NOTO / "NotoSansSymbols[wght].ttf"},
    "NotoSansCJK": {"": files("noto_cjk_sans_jp_regular") / "NotoSansCJKjp-Regular.otf"},
}  # fmt: skip
Color = tuple[int, int, int]
INK, MUTED, ACCENT, ALERT = (33, 37, 41), (88, 96, 104), (0, 90, 104), (163, 33, 28)
MARGIN, BODY, LINE, INDENT = 20.0, 11.5, 5.8, 7.0  # mm, pt, mm, mm
CARD_W, CARD_H, CARD_PAD = 85.0, 55.0, 3.5  # one credit-card-sized panel, mm
MAX_DANGER_PANELS = 3  # the card grows from two rows to three when the dangers need it
CARD_SIZES = (10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0)  # pt, largest first; never below 7 pt
DASHED = {"dash": 1.5, "gap": 1.2}  # mm
TAPER_ADVICE = (  # the page's words too (plans/detail.html), so one translation serves both
    "A schedule in US standard drinks a day. Hold each day's limit. If you get shaky, sweaty or "
    "anxious, stop cutting, go back to the last day that felt steady, and talk to a doctor. A "
    "seizure, confusion or seeing things that are not there: call emergency services."
)


@cache
def _glyphs(path: str) -> frozenset[int]:
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


@cache
def _base_glyphs() -> frozenset[int]:  # what every face of Source Sans Pro draws
    faces = [FONTS / f"{FAMILY}-{face}.ttf" for face in FACES.values()]
    return frozenset.intersection(*(_glyphs(str(path)) for path in faces))


@cache
def _drawable() -> frozenset[int]:  # what some face draws
    faces = [FONTS / f"{FAMILY}-{face}.ttf" for face in FACES.values()]
    faces += [path for family in FALLBACKS.values() for path in family.values()]
    return frozenset().union(*(_glyphs(str(path)) for path in faces))


def clean(value: object) -> str:
    """The text with what no face can draw replaced: a letter by its base letter or "?";
    symbols and control characters left out. Never raises."""
    glyphs, out = _drawable(), []
    for char in str(value).replace("\r\n", "\n").replace("\t", " "):
        decomposed = unicodedata.normalize("NFKD", char)
        base = "".join(c for c in decomposed if ord(c) in glyphs and not unicodedata.combining(c))
        fallback = base if base.strip() else "?" if unicodedata.category(char)[0] in "LN" else ""
        ok = ord(char) in glyphs and unicodedata.category(char) != "Cc"
        out.append(char if char == "\n" or ok else fallback)
    return "".join(out)


def _characters(value: object) -> set[str]:
    """Every character drawn for a Document's text (its strings, however deeply nested)."""
    if isinstance(value, str):
        return set(clean(value))
    if is_dataclass(value) and not isinstance(value, type):
        value = [getattr(value, field.name) for field in fields(value)]
    elif isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return set().union(*map(_characters, value))
    return set()


def _needs_shaping(char: str) -> bool:
    """Right-to-left letters, combining marks, joiners and skin tones: Arabic letters join,
    Indic letters combine, emoji sequences merge, and runs are ordered, only when shaped."""
    return (
        unicodedata.bidirectional(char) in ("R", "AL", "AN")
        or unicodedata.category(char) in ("Mn", "Mc", "Me", "Cf")
        or 0x1F3FB <= ord(char) <= 0x1F3FF
    )


def _fallbacks(text: set[str]) -> dict[str, set[int]]:
    """The fallback families the text needs, in order, each with the characters it draws: none
    when Source Sans Pro has them all."""
    missing, families = {ord(char) for char in text} - _base_glyphs() - {ord("\n")}, {}
    for family, faces in FALLBACKS.items():
        covered = {char for char in missing if any(char in _glyphs(str(f)) for f in faces.values())}
        if covered:
            families[family] = covered
            missing -= covered
    return families


class _PDF(FPDF):
    """A Letter page with the fonts and metadata, and the helpers both documents draw with."""

    def __init__(self, document: Document, language: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="letter")
        for style, face in FACES.items():
            self.add_font(FAMILY, style, str(FONTS / f"{FAMILY}-{face}.ttf"))
        text = _characters(document)
        families = _fallbacks(text)  # only the faces this plan needs: Noto CJK is slow to load
        for family, chars in families.items():
            for style, path in FALLBACKS[family].items():
                self.add_font(family, style, str(path), unicode_range=sorted(chars))
        if families:  # bold or italic text takes the regular face where a family has no other
            self.set_fallback_fonts(list(families), exact_match=False)
        self.shaped = frozenset(filter(_needs_shaping, text))
        if self.shaped:
            self.set_text_shaping(True)
        self.shaping, self.text_shaping = self.text_shaping, None  # see normalize_text
        self.set_lang(language)
        self.set_title(clean(document.title))  # no personal data in the metadata
        self.set_author("Waymark")
        self.set_creation_date(document.saved)  # the same version gives the same bytes
        self.set_margins(MARGIN, 18, MARGIN)
        self.set_auto_page_break(True, margin=26)  # the card's panels end far above this
        self.disclaimer = document.disclaimer

    def font(self, style: str, size: float, color: Color = INK) -> None:
        self.set_font(FAMILY, style, size)
        self.set_text_color(*color)

    def set_font(
        self, family: str | None = None, style: str | TextEmphasis = "", size: float = 0
    ) -> None:
        """Sets the font on the page at once when there are fallback fonts: fpdf2 2.8.9 would
        set a line's fallback font in place of it if the line began with one, so that the next
        line, in this font, was drawn in no font (blank in most viewers) or a previous one."""
        super().set_font(family, style, size)
        font = self.current_font
        if self.page and self._fallback_font_ids and font and not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(font, self.font_size_pt))

    def normalize_text(self, text: str) -> str:
        """fpdf2 calls this on every text it draws or measures: only the text that needs it is
        shaped, as HarfBuzz makes the card's fitting two to three times slower."""
        self.text_shaping = None if self.shaped.isdisjoint(text) else self.shaping
        return super().normalize_text(text)

    def clean(self, text: str) -> str:
        return clean(text)

    def wrap(self, width: float, height: float, text: str) -> None:
        """Left-aligned wrapped text; the next line starts where this text started. Each line
        of the text reads in the direction of its first letter (right to left for Hebrew or
        Arabic), as with dir="auto" in a browser."""
        for line in self.clean(text).split("\n"):
            self.multi_cell(width, height, line, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)

    def count(self, width: float, text: str) -> int:
        return len(cast(list[str], self.multi_cell(width, 1, text, dry_run=True, output="LINES")))

    def truncate(self, text: str, width: float, max_lines: int) -> str:
        """The text, cut with "…" if need be to wrap to at most max_lines in the current font."""
        text = self.clean(text)
        if self.count(width, text) <= max_lines:
            return text
        low, high = 0, len(text)
        while low < high:  # the longest prefix that fits with the ellipsis
            middle = (low + high + 1) // 2
            fits = self.count(width, text[:middle].rstrip() + "…") <= max_lines
            low, high = (middle, high) if fits else (low, middle - 1)
        return text[:low].rstrip() + "…"


class _PlanPDF(_PDF):
    """The plan: headings, paragraphs, lists and boxes that flow over as many pages as needed."""

    def footer(self) -> None:
        top = self.h - 20
        with self.local_context(draw_color=(200, 204, 208), line_width=0.2):
            self.line(MARGIN, top - 2, self.w - MARGIN, top - 2)
        self.font("", 8, MUTED)
        self.set_xy(self.w - MARGIN - 30, top)
        label = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(30, 3.6, label, align="R")
        self.set_xy(MARGIN, top)
        self.wrap(self.epw - 34, 3.6, self.truncate(self.disclaimer, self.epw - 34, 3))

    def need(self, height: float) -> None:  # keeps a heading with what follows it
        if self.y + height > self.page_break_trigger:
            self.add_page()

    @contextmanager
    def indent(self, left: float, right: float = 0.0) -> Iterator[None]:  # x follows at ln()
        self.set_left_margin(self.l_margin + left)
        self.set_right_margin(self.r_margin + right)
        yield
        self.set_left_margin(self.l_margin - left)
        self.set_right_margin(self.r_margin - right)

    def heading(self, text: str, *, level: int = 1, color: Color = ACCENT) -> None:
        size, before = (15.0, 6.0) if level == 1 else (12.5, 3.0)
        self.ln(before)
        self.need(size * 0.5 + (6 if level == 1 else 3) * LINE)  # with what follows it
        self.font("B", size, color)
        self.wrap(0, size * 0.48, text)
        if level == 1:
            with self.local_context(draw_color=color, line_width=0.4):
                self.line(self.l_margin, self.y + 0.8, self.w - self.r_margin, self.y + 0.8)
        self.ln(3.5 if level == 1 else 1)

    def paragraph(self, text: str, *, style: str = "", color: Color = INK) -> None:
        if text.strip():
            self.font(style, BODY, color)
            self.wrap(0, LINE, text)
            self.ln(1.5)

    def entry(self, marker: str, strong: str, rest: str, note: str = "") -> None:
        """A marker, then `strong` in bold and the rest, wrapping under itself; a quieter note."""
        self.need(LINE)
        self.font("" if marker == "•" else "B", BODY)
        self.cell(INDENT, LINE, marker)
        with self.indent(INDENT):
            self.font("B", BODY)
            self.write(LINE, self.clean(strong))
            self.font("", BODY)
            self.write(LINE, self.clean(rest))
            self.ln(LINE)
            if note.strip():
                self.font("I", BODY - 1, MUTED)
                self.wrap(0, LINE - 0.6, note)
        self.ln(0.8)

    def items(self, items: Sequence[str], *, numbered: bool = False) -> None:
        """Numbered steps or bullets, with hanging indents."""
        for number, item in enumerate(items, start=1):
            self.entry(f"{number}." if numbered else "•", "", item)
        self.ln(1 if items else 0)

    def help_lines(self, lines: Sequence[dict[str, Any]]) -> None:
        """Help lines, as "name: contact — description"."""
        for line in lines:
            rest = " — ".join(str(line[key]) for key in ("contact", "description") if line.get(key))
            self.entry("•", f"{line.get('name') or ''}: ", rest)
        self.ln(1 if lines else 0)

    def block(self, block: DocBlock, *, color: Color = INK) -> None:
        if block.title:
            self.heading(block.title, level=2, color=color)
        for text in block.paragraphs:
            self.paragraph(text)
        self.items(block.steps, numbered=True)
        self.items(block.bullets)
        self.help_lines(block.lines)

    def section(self, section: DocSection, *, color: Color = ACCENT) -> None:
        self.heading(section.title, color=color)
        self.paragraph(section.intro, style="I", color=MUTED)
        for block in section.blocks:
            self.block(block, color=INK if color == ACCENT else color)

    def safety(self, section: DocSection) -> None:
        """The safety section, boxed; the box is drawn on every page the section spans."""
        self.ln(4)
        self.need(4 * LINE)
        top, first = self.y, self.page
        with self.indent(5, 5):
            self.ln(-1)  # 5 mm of padding: the heading adds 6 mm before itself
            self.section(section, color=ALERT)
        bottom, last = self.y + 1, self.page
        if last > first and bottom <= self.t_margin + 2:  # the box ended right at a page break
            last, bottom = last - 1, self.page_break_trigger
        for page in range(first, last + 1):
            self.page = page
            y0 = top if page == first else self.t_margin
            y1 = min(bottom if page == last else self.page_break_trigger, self.page_break_trigger)
            with self.local_context(draw_color=ALERT, fill_color=ALERT, line_width=0.5):
                self.rect(MARGIN, y0, self.epw, y1 - y0)
                self.rect(MARGIN, y0, 1.6, y1 - y0, style="F")
        self.page = self.pages_count
        self.ln(3)

    def taper(self, document: Document) -> None:
        """The daily limits as a compact table, several day/limit pairs a row; or why not."""
        if not (document.taper_refused or document.taper_steps):
            return
        self.heading(_("Cutting down gradually"))  # the page's words, the page's advice
        if document.taper_refused:
            return self.paragraph(document.taper_reason)
        self.paragraph(_(TAPER_ADVICE))
        self.paragraph(_("Talk it over with a clinician before you start."), style="I")
        steps = document.taper_steps
        groups = 3 if len(steps) > 12 else 2 if len(steps) > 6 else 1
        self.font("", 10)
        with self.table(
            width=58 * groups,
            col_widths=(14, 44) * groups,
            align="LEFT",
            text_align="CENTER",
            line_height=5,
            headings_style=FontFace(emphasis="BOLD", color=ACCENT),  # repeated on each page
            borders_layout="SINGLE_TOP_LINE",
        ) as table:
            table.row([clean(_("Day")), clean(_("At most (standard drinks)"))] * groups)
            for start in range(0, len(steps), groups):
                cells: list[str] = []
                for day, limit in steps[start : start + groups]:  # 7.5 drinks, 7,5 bebidas
                    drinks = int(limit) if float(limit).is_integer() else limit
                    cells += [str(day), number_format(drinks, use_l10n=True)]
                table.row(cells)
        self.ln(3)

    def own_words(self, document: Document) -> None:
        """The person's own lists (the empty ones left out), people to call and notes."""
        lists = [doc_list for doc_list in document.personal if doc_list.items]
        if lists:
            self.heading(_("In my own words"))
        for doc_list in lists:
            self.heading(doc_list.title, level=2)
            self.items(doc_list.items)
        if document.people:
            self.heading(_("People I can call"))
        for person in document.people:
            name, phone = person.get("name") or "", person.get("phone") or ""
            rest = f" — {phone}" if name and phone else phone
            self.entry("•", name, rest, person.get("note") or "")
        if document.notes.strip():
            self.heading(_("Notes"))
            self.paragraph(document.notes)


def plan_pdf(document: Document, *, language: str) -> bytes:
    """The whole plan, safety first, on Letter pages with the disclaimer on each."""
    with override(language):
        pdf = _PlanPDF(document, language)
        pdf.add_page()
        pdf.font("B", 24)
        pdf.wrap(0, 11, document.title)
        saved = document.saved
        date = date_format(timezone.localtime(saved) if timezone.is_aware(saved) else saved)
        path = _("Chosen path: %(path)s") % {"path": document.approach_label}
        info = {"number": document.version, "date": date}
        pdf.paragraph(f"{path} · {_('Version %(number)s, saved %(date)s.') % info}", color=MUTED)
        if document.safety and (document.safety.blocks or document.safety.intro):
            pdf.safety(document.safety)
        if document.help_lines or document.harm_reduction_lines:
            pdf.heading(_("Need help now?"))  # as in every page's footer
            pdf.help_lines([*document.help_lines, *document.harm_reduction_lines])
        if document.own_limit:
            pdf.paragraph(document.own_limit, style="B")
        for section in document.sections:
            pdf.section(section)
        if document.stages:
            pdf.heading(_("Two stages"))
            for stage in document.stages:
                pdf.heading(stage.title, level=2)
                pdf.items(stage.items)
            pdf.paragraph(document.stage_signal, style="I")
        pdf.taper(document)
        if document.care_links:
            pdf.heading(_("Finding care"))  # as on the plan page, with each web address
            pdf.help_lines(document.care_links)
        pdf.own_words(document)
        return bytes(pdf.output())


class _Entry(NamedTuple):  # a line of a wallet-card panel
    text: str
    bold: bool = False
    muted: bool = False
    marker: str = ""  # "1.", "2.", ... for a numbered step


class _CardPDF(_PDF):
    """Panels of fixed size: the text shrinks, then is cut, so it never leaves its panel."""

    def style(self, entry: _Entry, size: float) -> float:  # the font; the marker's width
        self.font("B" if entry.bold else "", size, MUTED if entry.muted else INK)
        return max(3.5, self.get_string_width(entry.marker) + 1) if entry.marker else 0.0

    def height(self, entries: Sequence[_Entry], width: float, size: float) -> float:
        lines = [self.count(width - self.style(e, size), self.clean(e.text)) for e in entries]
        return sum(lines) * size * 0.42 + 0.6 * len(entries)

    def fit(self, entries: list[_Entry], width: float, height: float) -> tuple[float, Any]:
        """The largest size that fits; else 7 pt, each entry cut to 2 lines, the last dropped."""
        for size in CARD_SIZES:
            if self.height(entries, width, size) <= height:
                return size, entries
        size = CARD_SIZES[-1]
        short = [
            e._replace(text=self.truncate(e.text, width - self.style(e, size), 2)) for e in entries
        ]
        while short and self.height([*short, _Entry("…", muted=True)], width, size) > height:
            short.pop()
        return size, [*short, _Entry("…", muted=True)]

    def panel(self, x: float, y: float, title: str, entries: list[_Entry]) -> None:
        width = CARD_W - 2 * CARD_PAD
        self.font("B", 10.5, ALERT)
        self.set_xy(x + CARD_PAD, y + CARD_PAD)
        self.cell(width, 5, self.truncate(title, width, 1), new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.ln(0.8)
        size, fitted = self.fit(entries, width, y + CARD_H - CARD_PAD - self.y)
        for entry in fitted:
            indent = self.style(entry, size)
            self.set_x(x + CARD_PAD)
            if entry.marker:
                self.cell(indent, size * 0.42, entry.marker)
            self.wrap(width - indent, size * 0.42, entry.text)
            self.ln(0.6)

    def panels(self, document: Document) -> list[tuple[str, list[_Entry]]]:
        """Crisis lines, the person's own dangers with what to do (most dangerous first, from
        the one risk model; continued over up to three panels, which makes the card three rows
        high), three people, then the harm-reduction lines. Steps that do not apply to the
        person are left out."""
        crisis, people, harm = [], [], []
        for line in document.help_lines:
            name, contact = line.get("name", ""), line.get("contact", "")
            crisis += [_Entry(name, muted=True), _Entry(contact, bold=True)]
        for person in document.people[:3]:
            people += [_Entry(person.get("name", ""), bold=True), _Entry(person.get("phone", ""))]
        for line in document.harm_reduction_lines:
            name = f"{line.get('name', '')}: {line.get('contact', '')}"
            harm += [_Entry(name, bold=True), _Entry(line.get("description", ""), muted=True)]
        chunks = self.danger_panels(document)
        crisis_panel, people_panel = (_("In a crisis"), crisis), (_("People I can call"), people)
        doing = [
            (_("What to do") if n == 0 else _("What to do, continued"), chunk)
            for n, chunk in enumerate(chunks)
        ]
        last = (
            (_("Staying safer"), harm)
            if harm
            else (document.title, [_Entry(document.approach_label)])
        )
        if len(doing) == 2:  # four panels: the harm-reduction lines go with the people to call
            people_panel = (_("People I can call"), people + harm)
            return [crisis_panel, doing[0], people_panel, doing[1]]
        return [crisis_panel, *doing, people_panel, last]

    def danger_panels(self, document: Document) -> list[list[_Entry]]:
        """The dangers as entries, over as many panels as they need (at most three), each
        panel starting at a danger's title where it can."""
        entries: list[_Entry] = []
        for danger in document.dangers:
            entries.append(_Entry(danger.title, bold=True))
            entries += [_Entry(line) for line in danger.lead]
            numbered = len(danger.steps) > 1
            entries += [
                _Entry(step, marker=f"{n}." if numbered else "")
                for n, step in enumerate(danger.steps, 1)
            ]
        width, room, size = CARD_W - 2 * CARD_PAD, CARD_H - 2 * CARD_PAD - 6, CARD_SIZES[-2]
        chunks: list[list[_Entry]] = []
        while entries:
            if len(chunks) == MAX_DANGER_PANELS - 1 or self.height(entries, width, size) <= room:
                chunks.append(entries)  # the last panel shrinks, then cuts, to fit
                break
            split = len(entries)
            while split > 1 and self.height(entries[:split], width, size) > room:
                split -= 1
            boundary = split
            while boundary > 1 and not entries[boundary].bold:
                boundary -= 1
            split = boundary if boundary > 1 else split
            chunks.append(entries[:split])
            entries = entries[split:]
        return chunks


def wallet_card_pdf(document: Document, *, language: str) -> bytes:
    """One Letter page: four (or, when the dangers need them, six) credit-card-sized panels
    (85 × 55 mm) to cut out and fold."""
    with override(language):
        pdf = _CardPDF(document, language)
        pdf.add_page()
        pdf.font("B", 16)
        pdf.wrap(0, 8, pdf.truncate(document.title, pdf.epw, 1))
        pdf.font("", 10, MUTED)
        note = _("Cut along the solid line, fold along the dashed lines, and keep it with you.")
        pdf.wrap(0, 5, pdf.truncate(note, pdf.epw, 2))
        x, y = (pdf.w - 2 * CARD_W) / 2, pdf.y + 8
        panels = pdf.panels(document)
        rows = (len(panels) + 1) // 2
        for index, (title, entries) in enumerate(panels):
            pdf.panel(x + (index % 2) * CARD_W, y + (index // 2) * CARD_H, title, entries)
        with pdf.local_context(draw_color=(120, 120, 120), line_width=0.3):  # cut along
            pdf.rect(x, y, 2 * CARD_W, rows * CARD_H)
        with pdf.local_context(draw_color=(150, 150, 150), line_width=0.2, dash_pattern=DASHED):
            pdf.line(x + CARD_W, y - 4, x + CARD_W, y + rows * CARD_H + 4)  # fold along
            for row in range(1, rows):
                pdf.line(x - 4, y + row * CARD_H, x + 2 * CARD_W + 4, y + row * CARD_H)
        return bytes(pdf.output())
