"""The one scoring engine: reads every instrument from its data file and scores answers.

Answers are 0-based option indices in the published option order (CONTRACTS.md §1); the
engine owns the points. ``None`` means "not asked", allowed only where the instrument's own
skip logic allows it (FACTS.md §0.4: no total for an incomplete instrument otherwise).

An instrument may report subscales (named sums of some items); one with no single total (the
BAM, CONTRACTS.md §1b) has no bands and reports only those. Flags read one item or one subscale.

Each instrument may carry translations of its wording (``Instrument.wording(language)``): the
words change with the language, the items, the option order and the points never do.

Pure: no Django, no network, no files outside this package's own data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Literal, NamedTuple

# The engine's values are immutable named tuples, not frozen dataclasses: `waymark score`
# imports this module at every start, and `dataclasses` (which imports `inspect`) with the
# code it writes for each frozen class took 18 ms of it, half the command's own start
# (issue 14). Read them by field name only; their tuple order is not a contract.

# The default of the mappings left out: shared, and read only (typed Mapping). A plain dict,
# so that the values pickle and deep-copy as the dataclasses did.
_NO_MAPPING: Mapping[str, Any] = {}

Sex = Literal["female", "male"]
SEXES: tuple[Sex, ...] = ("female", "male")


class ScoringError(ValueError):
    """Answers that cannot be scored; the message names the item at fault.

    ``item_index`` (0-based) is set when one item is at fault, so a form can mark it.
    """

    def __init__(self, message: str, item_index: int | None = None) -> None:
        super().__init__(message)
        self.item_index = item_index


class UnknownInstrumentError(ScoringError):
    pass


class Option(NamedTuple):
    label: str
    points: int


class Item(NamedTuple):
    id: str
    text: str
    options: tuple[Option, ...]
    loinc: str | None = None
    variants: Mapping[str, str] = _NO_MAPPING

    @property
    def max_points(self) -> int:
        return max(option.points for option in self.options)

    def text_for(self, context: str | None) -> str:
        """The wording for a context (e.g. NIAAA's alcohol wording), else the general one."""
        return self.variants.get(context or "", self.text)


class ItemWording(NamedTuple):
    """One item's words in one language. ``options[i]`` labels the engine's option ``i``, so
    an answer scores the same points whatever the language it was given in."""

    text: str
    options: tuple[str, ...]
    variants: Mapping[str, str] = _NO_MAPPING

    def text_for(self, context: str | None) -> str:
        return self.variants.get(context or "", self.text)


class Wording(NamedTuple):
    """Everything a person reads of an instrument, in one language.

    ``translated`` is False for the original (English) wording. ``validated`` says whether a
    translation is a published, validated one; when it is not, pages must say so.
    ``source`` and ``licence`` are those of this wording, in its own language.
    """

    language: str
    name: str
    short_name: str
    timeframe: str
    instructions: str
    source: str
    licence: str
    items: Mapping[str, ItemWording]
    translated: bool = False
    validated: bool = True
    notes: str = ""

    @property
    def unvalidated(self) -> bool:
        """Our own translation, not a published validated one."""
        return self.translated and not self.validated

    def text_for(self, item: Item, context: str | None = None) -> str:
        return self.items[item.id].text_for(context)

    def option_labels(self, item: Item) -> tuple[str, ...]:
        return self.items[item.id].options


ORIGINAL_LANGUAGE = "en"


def primary_language(language: str | None) -> str:
    """The primary language code: "es-MX", "es_419" and "es" all give "es"."""
    return (language or "").lower().replace("_", "-").split("-")[0]


class Band(NamedTuple):
    id: str
    min: int
    max: int
    label: str
    meaning: str

    def holds(self, total: int) -> bool:
        return self.min <= total <= self.max


class SkipRule(NamedTuple):
    """When ``items`` add up to at most ``points_at_most``, ``not_asked`` may be left out."""

    items: tuple[str, ...]
    points_at_most: int
    not_asked: frozenset[str]


class FlagRule(NamedTuple):
    """Raised, whatever the total, when one item's points (``item``) or one subscale's score
    (``subscale``; ``item`` is then "") lie between ``min_points`` and ``max_points``.

    ``crisis``: the flag is a safety finding that shows help lines at once (PHQ-9 item 9);
    a clinician's point of attention (the BAM's) sets it false.
    """

    id: str
    item: str
    min_points: int
    meaning: str
    max_points: int | None = None
    subscale: str = ""
    crisis: bool = True

    def raised_by(self, value: int) -> bool:
        return value >= self.min_points and (self.max_points is None or value <= self.max_points)


class Subscale(NamedTuple):
    """A named sum of some items, reported beside (or, with no bands, instead of) a total."""

    id: str
    label: str
    items: tuple[str, ...]
    meaning: str


class NoTotalError(LookupError):
    """A total or band asked of an instrument that has none (the BAM): read its subscales."""


class Instrument(NamedTuple):
    id: str
    name: str
    short_name: str
    version: str
    rater: str
    timeframe: str
    instructions: str
    licence: str
    source: str
    notes: str
    loinc_panel: str | None
    loinc_total: str | None
    items: tuple[Item, ...]
    # Bands keyed by sex; instruments without sex-specific cut-offs use the key None.
    bands: Mapping[Sex | None, tuple[Band, ...]]
    cautious_sex: Sex | None
    skip_rules: tuple[SkipRule, ...]
    flag_rules: tuple[FlagRule, ...]
    excluded_when_prescribed: frozenset[str]
    # What a person reads of it in English, its original language.
    original_wording: Wording
    # Other languages' wording, by primary language code ("es"); English is the original.
    translations: Mapping[str, Wording] = _NO_MAPPING
    subscales: tuple[Subscale, ...] = ()

    def wording(self, language: str | None) -> Wording:
        """The wording for a language, or the original English where it has none."""
        return self.translations.get(primary_language(language)) or self.original_wording

    @property
    def min_total(self) -> int:
        return sum(min(option.points for option in item.options) for item in self.items)

    @property
    def max_total(self) -> int:
        return sum(item.max_points for item in self.items)

    @property
    def has_total(self) -> bool:
        """False for an instrument scored only as subscales, with no single total (the BAM)."""
        return any(self.bands.values())

    @property
    def total_range(self) -> tuple[int, int] | None:
        """(lowest, highest) total, or None when the instrument has no single total."""
        return (self.min_total, self.max_total) if self.has_total else None

    def subscale_range(self, subscale: Subscale) -> tuple[int, int]:
        items = [self.items[self.item_index(item_id)] for item_id in subscale.items]
        lowest = sum(min(option.points for option in item.options) for item in items)
        return lowest, sum(item.max_points for item in items)

    @property
    def clinician_only(self) -> bool:
        """Clinician-rated scales (COWS, CIWA-Ar) are never part of a person's check-up or
        quick screens, and never decide whether withdrawal at home is safe (FACTS.md §2.16)."""
        return self.rater == "clinician"

    @property
    def sex_specific(self) -> bool:
        return None not in self.bands

    def bands_for(self, sex: Sex | None) -> tuple[Band, ...]:
        """The bands for a sex; when sex is not given, the cautious set (FACTS.md §0.3)."""
        if not self.sex_specific:
            return self.bands[None]
        return self.bands[sex or self.cautious_sex]

    def band_for(self, total: int, sex: Sex | None = None) -> Band:
        for band in self.bands_for(sex):
            if band.holds(total):
                return band
        raise ScoringError(f"{self.id}: total {total} is outside every band")  # data error

    def item_index(self, item_id: str) -> int:
        for index, item in enumerate(self.items):
            if item.id == item_id:
                return index
        raise KeyError(item_id)


class Score(NamedTuple):
    """One scored set of answers. ``total_or_none`` and ``band_or_none`` are None for an
    instrument with no single total (CONTRACTS.md §1b: the BAM), which reports ``subscales``;
    ``total`` and ``band`` are for the instruments that have one, and refuse otherwise."""

    instrument: Instrument
    total_or_none: int | None
    band_or_none: Band | None
    flags: tuple[str, ...]
    points: tuple[int | None, ...]
    sex: Sex | None = None
    prescribed: bool = False
    subscales: Mapping[str, int] = _NO_MAPPING  # subscale id -> score

    @property
    def total(self) -> int:
        if self.total_or_none is None:
            raise NoTotalError(f"{self.instrument.id} has no single total: read its subscales")
        return self.total_or_none

    @property
    def band(self) -> Band:
        if self.band_or_none is None:
            raise NoTotalError(f"{self.instrument.id} has no bands: read its subscales")
        return self.band_or_none

    def as_dict(self) -> dict[str, Any]:
        """The public JSON shape of CONTRACTS.md §1 (keys may be added, never changed).
        ``total``, ``max`` and ``band`` are null where the instrument has no single total."""
        instrument, band = self.instrument, self.band_or_none
        subscales: dict[str, dict[str, Any]] = {}
        for subscale in instrument.subscales:
            lowest, highest = instrument.subscale_range(subscale)
            subscales[subscale.id] = {
                "score": self.subscales[subscale.id],
                "min": lowest,
                "max": highest,
                "label": subscale.label,
            }
        return {
            "instrument": instrument.id,
            "version": instrument.version,
            "total": self.total_or_none,
            "max": instrument.max_total if instrument.has_total else None,
            "band": band.id if band else None,
            "flags": list(self.flags),
            "band_label": band.label if band else None,
            "meaning": band.meaning if band else None,
            "subscales": subscales,
        }


INSTRUMENT_IDS: tuple[str, ...] = (
    "audit",
    "audit-c",
    "dast-10",
    "phq-9",
    "phq-2",
    "gad-7",
    "barc-10",
    "sud-11",
    "cows",
    "ciwa-ar",
    # WHO ASSIST v3.0, one file per substance class (CONTRACTS.md §1b).
    "assist-tobacco",
    "assist-alcohol",
    "assist-cannabis",
    "assist-cocaine",
    "assist-amphetamines",
    "assist-inhalants",
    "assist-sedatives",
    "assist-hallucinogens",
    "assist-opioids",
    "assist-other",
    # The VA's Brief Addiction Monitor: subscales and flags, no single total (§1b).
    "bam",
)


# Read with os.path, not importlib.resources, whose imports alone cost `waymark score` about
# 8 ms at every start (issue 14); the package is installed as files, never run from a zip.
_HERE = os.path.dirname(os.path.abspath(__file__))


def read_data_file(*parts: str) -> str:
    """The text of one of this package's own data files (`instruments/audit.json`)."""
    with open(os.path.join(_HERE, *parts), encoding="utf-8") as handle:
        return handle.read()


def _read_data(instrument_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(read_data_file("instruments", f"{instrument_id}.json"))
    return data


def _options(spec: Any, option_sets: Mapping[str, Any]) -> tuple[Option, ...]:
    raw = option_sets[spec] if isinstance(spec, str) else spec
    return tuple(Option(label=o["label"], points=int(o["points"])) for o in raw)


def _bands(raw: Sequence[Mapping[str, Any]]) -> tuple[Band, ...]:
    return tuple(
        Band(id=b["id"], min=b["min"], max=b["max"], label=b["label"], meaning=b["meaning"])
        for b in raw
    )


def _items(data: Mapping[str, Any]) -> tuple[Item, ...]:
    if "items_from" in data:
        parent = get_instrument(data["items_from"]["instrument"])
        wanted = data["items_from"]["items"]
        return tuple(parent.items[parent.item_index(item_id)] for item_id in wanted)
    option_sets = data.get("option_sets", {})
    return tuple(
        Item(
            id=raw["id"],
            text=raw["text"],
            options=_options(raw["options"], option_sets),
            loinc=raw.get("loinc"),
            variants=dict(raw.get("variants", {})),
        )
        for raw in data["items"]
    )


def _item_wording(
    given: Any, item: Item, spec: Any, option_sets: Mapping[str, Any], where: str
) -> ItemWording:
    """Check one translated item against the original: same variants, as many options."""
    if isinstance(given, str):
        given = {"text": given}
    if not isinstance(given, Mapping) or not isinstance(given.get("text"), str):
        raise ScoringError(f"{where}: item {item.id!r} is not translated")
    labels = given.get("options")
    if labels is None and isinstance(spec, str):
        labels = option_sets.get(spec)
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise ScoringError(f"{where}: item {item.id!r} needs its option labels (text only)")
    if len(labels) != len(item.options):
        raise ScoringError(
            f"{where}: item {item.id!r} has {len(labels)} options, the original {len(item.options)}"
        )
    variants = dict(given.get("variants", {}))
    if set(variants) != set(item.variants):
        raise ScoringError(f"{where}: item {item.id!r} needs the variants {sorted(item.variants)}")
    return ItemWording(given["text"], tuple(labels), variants)


def _wording(
    language: str,
    raw: Mapping[str, Any],
    data: Mapping[str, Any],
    items: Mapping[str, ItemWording],
    inherited: Wording | None,
) -> Wording:
    def text(key: str, default: str) -> str:
        value = raw.get(key, getattr(inherited, key, default) if inherited else default)
        return str(value)

    validated = raw.get("validated", inherited.validated if inherited else None)
    if not isinstance(validated, bool):
        raise ScoringError(f"{data['id']} ({language}): 'validated' must be true or false")
    return Wording(
        language=language,
        name=str(raw.get("name", data["name"])),
        short_name=str(raw.get("short_name", data["short_name"])),
        timeframe=text("timeframe", data.get("timeframe", "")),
        instructions=text("instructions", data.get("instructions", "")),
        source=text("source", ""),
        licence=text("licence", ""),
        notes=text("notes", ""),
        items=items,
        translated=True,
        validated=validated,
    )


def _translations(data: Mapping[str, Any], items: tuple[Item, ...]) -> dict[str, Wording]:
    """The ``translations`` of a data file, each checked against the original wording.

    A short form (``items_from``) reuses its long form's translated items, and its source,
    licence and validation unless it names its own.
    """
    given: Mapping[str, Any] = data.get("translations", {})
    if "items_from" in data:
        parent = get_instrument(data["items_from"]["instrument"])
        unknown = set(given) - set(parent.translations)
        if unknown:
            raise ScoringError(f"{data['id']}: {sorted(unknown)} not in {parent.id}'s translations")
        return {
            language: _wording(
                language, given.get(language, {}), data,
                {item.id: wording.items[item.id] for item in items}, wording,
            )
            for language, wording in parent.translations.items()
        }  # fmt: skip
    specs = {raw["id"]: raw["options"] for raw in data["items"]}
    result = {}
    for language, raw in given.items():
        if language != primary_language(language) or language == ORIGINAL_LANGUAGE:
            raise ScoringError(f"{data['id']}: {language!r} is not a primary language code")
        where = f"{data['id']} ({language})"
        option_sets = raw.get("option_sets", {})
        translated = raw.get("items", {})
        worded = {
            item.id: _item_wording(
                translated.get(item.id), item, specs[item.id], option_sets, where
            )
            for item in items
        }
        result[language] = _wording(language, raw, data, worded, None)
    return result


def _subscales(data: Mapping[str, Any], items: tuple[Item, ...]) -> tuple[Subscale, ...]:
    known = {item.id for item in items}
    found = []
    for raw in data.get("subscales", []):
        if not raw["items"] or not set(raw["items"]) <= known:
            raise ScoringError(f"{data['id']}: subscale {raw['id']!r} must name known items")
        found.append(Subscale(raw["id"], raw["label"], tuple(raw["items"]), raw["meaning"]))
    return tuple(found)


def _flag_rules(
    data: Mapping[str, Any], items: tuple[Item, ...], subscales: tuple[Subscale, ...]
) -> tuple[FlagRule, ...]:
    """Each flag reads exactly one item or one subscale, with at least one bound."""
    items_known, subscales_known = {i.id for i in items}, {s.id for s in subscales}
    rules = []
    for raw in data.get("flags", []):
        item, subscale = raw.get("item", ""), raw.get("subscale", "")
        reads_one = item in items_known if item else subscale in subscales_known
        if bool(item) == bool(subscale) or not reads_one:
            raise ScoringError(
                f"{data['id']}: flag {raw['id']!r} must read one known item or subscale"
            )
        if "min_points" not in raw and "max_points" not in raw:
            raise ScoringError(f"{data['id']}: flag {raw['id']!r} needs min_points or max_points")
        rules.append(
            FlagRule(
                id=raw["id"],
                item=item,
                min_points=raw.get("min_points", 0),
                meaning=raw["meaning"],
                max_points=raw.get("max_points"),
                subscale=subscale,
                crisis=raw.get("crisis", True),
            )
        )
    return tuple(rules)


@cache
def get_instrument(instrument_id: str) -> Instrument:
    """The instrument with this public id; raises :class:`UnknownInstrumentError`."""
    if instrument_id not in INSTRUMENT_IDS:
        known = ", ".join(INSTRUMENT_IDS)
        raise UnknownInstrumentError(f"unknown instrument {instrument_id!r}; known: {known}")
    data = _read_data(instrument_id)
    raw_bands = data.get("bands", [])  # none: scored as subscales only (the BAM)
    bands: dict[Sex | None, tuple[Band, ...]]
    if isinstance(raw_bands, list):
        bands = {None: _bands(raw_bands)}
    else:
        bands = {sex: _bands(raw_bands[sex]) for sex in SEXES}
    loinc = data.get("loinc") or {}
    items = _items(data)
    subscales = _subscales(data, items)
    if not any(bands.values()) and not subscales:
        raise ScoringError(f"{instrument_id}: needs bands, or subscales when it has no total")
    original = Wording(
        language=ORIGINAL_LANGUAGE,
        name=data["name"],
        short_name=data["short_name"],
        timeframe=data.get("timeframe", ""),
        instructions=data.get("instructions", ""),
        source=data["source"],
        licence=data["licence"],
        notes=data.get("notes", ""),
        items={
            item.id: ItemWording(item.text, tuple(o.label for o in item.options), item.variants)
            for item in items
        },
    )
    return Instrument(
        id=data["id"],
        name=original.name,
        short_name=original.short_name,
        version=str(data["version"]),
        rater=data["rater"],
        timeframe=original.timeframe,
        instructions=original.instructions,
        licence=original.licence,
        source=original.source,
        notes=original.notes,
        loinc_panel=loinc.get("panel"),
        loinc_total=loinc.get("total"),
        items=items,
        bands=bands,
        cautious_sex=data.get("cautious_sex"),
        skip_rules=tuple(
            SkipRule(
                items=tuple(rule["when"]["items"]),
                points_at_most=rule["when"]["points_at_most"],
                not_asked=frozenset(rule["not_asked"]),
            )
            for rule in data.get("skip", [])
        ),
        flag_rules=_flag_rules(data, items, subscales),
        excluded_when_prescribed=frozenset(data.get("excluded_when_prescribed", [])),
        original_wording=original,
        translations=_translations(data, items),
        subscales=subscales,
    )


def all_instruments() -> tuple[Instrument, ...]:
    return tuple(get_instrument(instrument_id) for instrument_id in INSTRUMENT_IDS)


def _item_label(instrument: Instrument, index: int) -> str:
    return f"{instrument.id} item {index + 1} ({instrument.items[index].id})"


def _may_skip(instrument: Instrument, index: int, points: Sequence[int | None]) -> bool:
    """Whether skip logic lets item ``index`` go unanswered, given the earlier points."""
    item_id = instrument.items[index].id
    for rule in instrument.skip_rules:
        if item_id not in rule.not_asked:
            continue
        indices = [instrument.item_index(i) for i in rule.items]
        # Only earlier items decide, so the answers are checked in the order they are asked.
        earlier = all(i < index for i in indices)
        if earlier and sum(points[i] or 0 for i in indices) <= rule.points_at_most:
            return True
    return False


def missing_answers(instrument: Instrument, answers: Sequence[int | None]) -> list[int]:
    """Indices of the items left unanswered that skip logic does not let go, so a form can
    mark all of them at once (answers out of range count as answered here)."""
    points: list[int | None] = []
    missing: list[int] = []
    for index, (item, answer) in enumerate(zip(instrument.items, answers, strict=True)):
        if answer is None:
            if not _may_skip(instrument, index, points):
                missing.append(index)
            points.append(None)
        else:
            in_range = isinstance(answer, int) and 0 <= answer < len(item.options)
            points.append(item.options[answer].points if in_range else None)
    return missing


def answer_points(instrument: Instrument, answers: Sequence[int | None]) -> tuple[int | None, ...]:
    """Turn option indices into points, checking every answer; ``None`` stays ``None``."""
    if len(answers) != len(instrument.items):
        raise ScoringError(
            f"{instrument.id} needs {len(instrument.items)} answers, got {len(answers)}"
        )
    points: list[int | None] = []
    for index, (item, answer) in enumerate(zip(instrument.items, answers, strict=True)):
        if answer is None:
            if not _may_skip(instrument, index, points):
                raise ScoringError(
                    f"{_item_label(instrument, index)}: an answer is required here"
                    " (skip logic does not allow leaving it out)",
                    index,
                )
            points.append(None)
            continue
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise ScoringError(
                f"{_item_label(instrument, index)}: {answer!r} is not an option number", index
            )
        if not 0 <= answer < len(item.options):
            raise ScoringError(
                f"{_item_label(instrument, index)}: option {answer} is out of range"
                f" (0 to {len(item.options) - 1})",
                index,
            )
        points.append(item.options[answer].points)
    return tuple(points)


def score(
    instrument_id: str,
    answers: Sequence[int | None],
    *,
    sex: Sex | None = None,
    prescribed: bool = False,
) -> Score:
    """Score one set of answers exactly as CONTRACTS.md §1 defines.

    ``prescribed``: the substance is taken only as prescribed, so the items the instrument
    lists in ``excluded_when_prescribed`` (DSM-5 tolerance and withdrawal, FACTS.md §2.6)
    do not count.
    """
    instrument = get_instrument(instrument_id)
    if sex is not None and sex not in SEXES:
        raise ScoringError(f"sex must be one of {', '.join(SEXES)}, or not given")
    if prescribed and not instrument.excluded_when_prescribed:
        raise ScoringError(f"{instrument.id}: 'prescribed' applies only to sud-11")
    points = answer_points(instrument, answers)
    counted = [
        p or 0
        for item, p in zip(instrument.items, points, strict=True)
        if not (prescribed and item.id in instrument.excluded_when_prescribed)
    ]
    total = sum(counted) if instrument.has_total else None
    subscales = {
        subscale.id: sum(points[instrument.item_index(i)] or 0 for i in subscale.items)
        for subscale in instrument.subscales
    }
    flags = tuple(
        rule.id
        for rule in instrument.flag_rules
        if rule.raised_by(
            subscales[rule.subscale]
            if rule.subscale
            else points[instrument.item_index(rule.item)] or 0
        )
    )
    return Score(
        instrument=instrument,
        total_or_none=total,
        band_or_none=None if total is None else instrument.band_for(total, sex),
        flags=flags,
        points=points,
        sex=sex,
        prescribed=prescribed,
        subscales=subscales,
    )
