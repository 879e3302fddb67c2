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

from waymark.plans.document import DocBlock, DocDanger, DocSection, Document

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
CARD_ROWS = 4  # at most, on a Letter page: the card grows a row at a time as the dangers need
CARD_SIZES = (10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0)  # pt, largest first; never below 7 pt
COMFORTABLE = 8.0  # pt: the card grows a row before its dangers' type goes below this
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
    continued: bool = False  # the rest of the entry before, on a new panel: indented, no marker


class _Panel(NamedTuple):  # a credit-card-sized panel of the wallet card
    title: str
    entries: list[_Entry]
    size: float | None = None  # the dangers' type size, which fits them; None: fit (or cut)


class _CardPDF(_PDF):
    """Panels of fixed size. The dangers flow from panel to panel, and the card grows a row, or
    its type shrinks (not below 7 pt), or it goes on to another card, until they all fit: their
    text is never cut. The lines and people in the other panels shrink, then are cut, so that
    nothing leaves its panel."""

    def __init__(self, document: Document, language: str) -> None:
        super().__init__(document, language)
        self.set_auto_page_break(False)  # every panel is placed; a fourth row ends low

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

    def panel(self, x: float, y: float, panel: _Panel) -> None:
        width = CARD_W - 2 * CARD_PAD
        self.font("B", 10.5, ALERT)
        self.set_xy(x + CARD_PAD, y + CARD_PAD)
        self.cell(width, 5, self.truncate(panel.title, width, 1), new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.ln(0.8)
        size, fitted = panel.size, panel.entries  # the dangers: laid out to fit, never cut
        if size is None:
            size, fitted = self.fit(panel.entries, width, y + CARD_H - CARD_PAD - self.y)
        for entry in fitted:
            indent = self.style(entry, size)
            self.set_x(x + CARD_PAD)
            if entry.marker and not entry.continued:
                self.cell(indent, size * 0.42, entry.marker)
            elif indent:
                self.set_x(x + CARD_PAD + indent)
            self.wrap(width - indent, size * 0.42, entry.text)
            self.ln(0.6)

    def sheets(self, document: Document) -> list[list[_Panel]]:
        """The card's panels, page by page: crisis lines, the person's own dangers with what to
        do (most dangerous first, from the one risk model; flowing over as many panels as they
        need, one to five, which makes the card two to four rows high), three people, then the
        harm-reduction lines. Steps that do not apply to the person are left out. Dangers that
        do not fit one page even at 7 pt go on, in order, on a further card on the next page."""
        crisis, people, harm = [], [], []
        for line in document.help_lines:
            name, contact = line.get("name", ""), line.get("contact", "")
            crisis += [_Entry(name, muted=True), _Entry(contact, bold=True)]
        for person in document.people[:3]:
            people += [_Entry(person.get("name", ""), bold=True), _Entry(person.get("phone", ""))]
        for line in document.harm_reduction_lines:
            name = f"{line.get('name', '')}: {line.get('contact', '')}"
            harm += [_Entry(name, bold=True), _Entry(line.get("description", ""), muted=True)]
        merged = people + harm  # the people to call and the harm-reduction lines, on one panel
        width, room = CARD_W - 2 * CARD_PAD, CARD_H - 2 * CARD_PAD - 6
        chunks, size, merge = self.danger_layout(
            document, merge=self.height(merged, width, CARD_SIZES[-1]) <= room
        )
        doing = [
            _Panel(_("What to do") if n == 0 else _("What to do, continued"), chunk, size)
            for n, chunk in enumerate(chunks)
        ]
        crisis_panel, people_panel = (
            _Panel(_("In a crisis"), crisis),
            _Panel(_("People I can call"), people),
        )
        last = (
            _Panel(_("Staying safer"), harm)
            if harm
            else _Panel(document.title, [_Entry(document.approach_label)])
        )
        if merge:  # an even number of panels: the people and the lines share the last row's
            title = _("People and lines I can call") if harm else _("People I can call")
            return [[crisis_panel, *doing[:-1], _Panel(title, merged), doing[-1]]]
        first = 2 * CARD_ROWS - 3  # danger panels on the first page; the rest go on
        further = [doing[n : n + 2 * CARD_ROWS] for n in range(first, len(doing), 2 * CARD_ROWS)]
        return [[crisis_panel, *doing[:first], people_panel, last], *further]

    def danger_layout(
        self, document: Document, *, merge: bool
    ) -> tuple[list[list[_Entry]], float, bool]:
        """The dangers' panels, their type size, and whether the people and the harm-reduction
        lines share a panel: the fewest rows (two to four) in which the dangers fit at 8 pt or
        more, in the largest type that fits them; else the same at 7.5 or 7 pt; else at 7 pt on
        as many panels as they need, over further pages."""
        flows: dict[float, list[list[_Entry]]] = {}
        for floor in (COMFORTABLE, CARD_SIZES[-1]):
            for rows in range(2, CARD_ROWS + 1):
                for merged in (False, True) if merge else (False,):
                    panels = 2 * rows - 3 + merged  # of dangers, beside the card's other three
                    for size in [size for size in CARD_SIZES if size >= floor]:
                        if size not in flows:
                            flows[size] = self.flow(document.dangers, size)
                        if len(flows[size]) <= panels:
                            return flows[size], size, merged and len(flows[size]) == panels
        return flows[CARD_SIZES[-1]], CARD_SIZES[-1], False

    def flow(self, dangers: Sequence[DocDanger], size: float) -> list[list[_Entry]]:
        """The dangers' titles, leads and numbered steps, filling panel after panel in this
        size. A title is kept with its first line; a danger that goes on to the next panel has
        its title again there, marked as continued; an entry too long for a whole panel starts in
        the room left and goes on where it stops. Nothing is left out or cut."""
        width, room = CARD_W - 2 * CARD_PAD, CARD_H - 2 * CARD_PAD - 6
        heights: dict[_Entry, float] = {}

        def height(*entries: _Entry) -> float:
            for entry in entries:
                if entry not in heights:
                    heights[entry] = self.height([entry], width, size)
            return sum(heights[entry] for entry in entries)

        lines = 2 * size * 0.42 + 0.6  # with less room left, a long entry starts on the next
        panels: list[list[_Entry]] = []
        left = 0.0  # the room left in the last panel
        for danger in dangers:
            title = _Entry(danger.title, bold=True)
            again = _Entry(_("%(title)s (continued)") % {"title": danger.title}, bold=True)
            whole = room - height(again)  # an entry longer than this fills no panel alone
            numbered = len(danger.steps) > 1
            queue = [
                title,
                *(_Entry(line) for line in danger.lead),
                *(
                    _Entry(step, marker=f"{n}." if numbered else "")
                    for n, step in enumerate(danger.steps, 1)
                ),
            ]
            while queue:
                entry = queue.pop(0)
                need = height(entry)
                if entry is title and queue:  # a title is kept with its first line (or two)
                    need += height(queue[0]) if height(queue[0]) <= whole else lines
                if panels and need <= left:
                    pass  # it fits here
                elif panels and entry is not title and left >= lines and need > whole:
                    entry, rest = self.split(entry, width, size, left)  # it starts here
                    queue.insert(0, rest)
                else:  # on to a new panel, which has the danger's title if it goes on there
                    panels.append([])
                    left = room
                    if entry is not title and height(again) <= room / 2:
                        panels[-1].append(again)
                        left -= height(again)
                    if height(entry) > left:  # what fits here; the rest on the next panel
                        entry, rest = self.split(entry, width, size, left)
                        queue.insert(0, rest)
                panels[-1].append(entry)
                left -= height(entry)
        return panels

    def split(self, entry: _Entry, width: float, size: float, room: float) -> tuple[_Entry, _Entry]:
        """The longest start of the entry that fits the room, ending between words (within a
        word only when its first word is wider than the room; at least one character), and the
        rest, continued."""
        text = self.clean(entry.text)

        def longest(cuts: Sequence[int]) -> int:  # the last cut whose start fits, else 0
            low, high = 0, len(cuts)
            while low < high:
                middle = (low + high + 1) // 2
                head = entry._replace(text=text[: cuts[middle - 1]])
                fits = self.height([head], width, size) <= room
                low, high = (middle, high) if fits else (low, middle - 1)
            return cuts[low - 1] if low else 0

        words = [n for n in range(1, len(text)) if text[n] in " \n" and text[n - 1] not in " \n"]
        cut = longest(words) or longest(range(1, len(text))) or 1
        return entry._replace(text=text[:cut].rstrip()), entry._replace(
            text=text[cut:].lstrip(), continued=True
        )


def wallet_card_pdf(document: Document, *, language: str) -> bytes:
    """A Letter page with four, six or eight credit-card-sized panels (85 × 55 mm, two to four
    rows, as the dangers need) to cut out and fold; more pages, each one more card, only when
    the dangers do not fit one page at 7 pt."""
    with override(language):
        pdf = _CardPDF(document, language)
        pdf.add_page()  # text is measured on a page
        for number, panels in enumerate(pdf.sheets(document)):
            if number:
                pdf.add_page()
            pdf.font("B", 16)
            pdf.wrap(0, 8, pdf.truncate(document.title, pdf.epw, 1))
            pdf.font("", 10, MUTED)
            note = _("Cut along the solid line, fold along the dashed lines, and keep it with you.")
            pdf.wrap(0, 5, pdf.truncate(note, pdf.epw, 2))
            x, y = (pdf.w - 2 * CARD_W) / 2, pdf.y + 8
            rows = (len(panels) + 1) // 2
            for index, panel in enumerate(panels):
                pdf.panel(x + (index % 2) * CARD_W, y + (index // 2) * CARD_H, panel)
            with pdf.local_context(draw_color=(120, 120, 120), line_width=0.3):  # cut along
                pdf.rect(x, y, 2 * CARD_W, rows * CARD_H)
            with pdf.local_context(draw_color=(150, 150, 150), line_width=0.2, dash_pattern=DASHED):
                pdf.line(x + CARD_W, y - 4, x + CARD_W, y + rows * CARD_H + 4)  # fold along
                for row in range(1, rows):
                    pdf.line(x - 4, y + row * CARD_H, x + 2 * CARD_W + 4, y + row * CARD_H)
        return bytes(pdf.output())
