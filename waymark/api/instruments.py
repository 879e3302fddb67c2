"""Instruments and scoring: `waymark instruments --json`, `waymark score --json`, and the
JSON twin of the quick-screen pages."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, WithJsonSchema

from waymark import wording as localized
from waymark.api.errors import ApiError, errors
from waymark.clinical import scoring
from waymark.screeners.catalogue import SELF_SCREENS

router = Router(tags=["instruments"])


# --- score ---------------------------------------------------------------------------------


# Documented as the ids there are, but checked by the engine, whose message lists them.
ONE_OF_THE_INSTRUMENTS = WithJsonSchema({"type": "string", "enum": list(scoring.INSTRUMENT_IDS)})


class ScoreIn(Schema):
    instrument: Annotated[StrictStr, ONE_OF_THE_INSTRUMENTS] = Field(description="its id")
    # Checked answer by answer by the engine, which names the item at fault.
    answers: Annotated[
        list[Any],
        WithJsonSchema({"type": "array", "items": {"type": ["integer", "null"], "minimum": 0}}),
    ] = Field(description="0-based option numbers in published order; null = not asked")
    sex: Literal["female", "male"] | None = Field(None, description="for sex-specific cut-offs")
    prescribed: StrictBool = Field(False, description="sud-11: taken only as prescribed")


class SubscaleScoreOut(BaseModel):
    score: int
    min: int
    max: int
    label: str


class ScoreOut(BaseModel):
    """CONTRACTS.md §1, in `Score.as_dict()` order; keys the engine adds pass through.
    An instrument with no single total (the BAM, §1b) has null total, max and band, and
    reports its `subscales`."""

    model_config = ConfigDict(extra="allow")

    instrument: str
    version: str
    total: int | None
    max: int | None
    band: str | None
    flags: list[str]
    band_label: str | None
    meaning: str | None
    subscales: dict[str, SubscaleScoreOut] = Field(description="empty for most instruments")


def _field_at_fault(error: scoring.ScoringError, request: ScoreIn) -> str:
    """Which field to mark. The engine alone decides what scores; it names the item."""
    if isinstance(error, scoring.UnknownInstrumentError):
        return "instrument"
    if error.item_index is not None:
        return f"answers.{error.item_index}"
    instrument = scoring.get_instrument(request.instrument)
    if request.prescribed and not instrument.excluded_when_prescribed:
        return "prescribed"
    return "answers"


@router.post(
    "/score",
    response={200: ScoreOut, **errors(400, 413, 429)},
    operation_id="score",
    summary="Score one instrument's answers",
)
def score(request: HttpRequest, payload: ScoreIn) -> dict[str, Any]:
    """As `waymark score INSTRUMENT --answers ... --json`; an answer the engine refuses is
    named in `fields` as `answers.N` (0-based)."""
    try:
        result = scoring.score(
            payload.instrument, payload.answers, sex=payload.sex, prescribed=payload.prescribed
        )
    except scoring.ScoringError as error:
        field = _field_at_fault(error, payload)
        raise ApiError(400, "invalid-answers", str(error), {field: str(error)}) from error
    return result.as_dict()


# --- instruments -----------------------------------------------------------------------------


class InstrumentRow(BaseModel):
    id: str
    name: str
    items: int
    min: int | None = Field(description="null: no single total (the BAM has subscales)")
    max: int | None
    rater: str
    version: str
    licence: str


def instrument_row(instrument: scoring.Instrument) -> dict[str, Any]:
    """One row of `waymark instruments --json`."""
    lowest, highest = instrument.total_range or (None, None)
    return {
        "id": instrument.id,
        "name": instrument.name,
        "items": len(instrument.items),
        "min": lowest,
        "max": highest,
        "rater": instrument.rater,
        "version": instrument.version,
        "licence": instrument.licence,
    }


@router.get(
    "/instruments",
    response={200: list[InstrumentRow], **errors(429)},
    operation_id="list_instruments",
    summary="The instruments Waymark scores",
)
def list_instruments(request: HttpRequest) -> list[dict[str, Any]]:
    return [instrument_row(instrument) for instrument in scoring.all_instruments()]


class OptionOut(BaseModel):
    index: int = Field(description="the answer to send for this option")
    label: str
    points: int


class ItemOut(BaseModel):
    id: str
    text: str
    loinc: str | None
    variants: dict[str, str] = Field(description="the wording for a context, e.g. alcohol")
    options: list[OptionOut]


class BandOut(BaseModel):
    id: str
    sex: Literal["female", "male"] | None = Field(description="null: the band holds for anyone")
    min: int
    max: int
    label: str
    meaning: str


class FlagOut(BaseModel):
    id: str
    item: str | None = Field(description="the item it reads, or null when it reads a subscale")
    subscale: str | None
    min_points: int
    max_points: int | None
    crisis: bool = Field(description="a safety finding that shows help lines at once")
    meaning: str


class SubscaleOut(BaseModel):
    id: str
    label: str
    items: list[str]
    min: int
    max: int
    meaning: str


class LoincOut(BaseModel):
    panel: str | None
    total: str | None


class QuestionWordingOut(BaseModel):
    id: str
    text: str
    variants: dict[str, str]
    options: list[str] = Field(description="labels of options 0, 1, …: the points stay the same")


class WordingOut(BaseModel):
    language: str = Field(description="the language of these words (English where untranslated)")
    translated: bool = Field(description="false for the original English wording")
    validated: bool = Field(description="false: our own translation, not a validated one")
    name: str
    short_name: str
    timeframe: str
    instructions: str
    source: str
    licence: str
    questions: list[QuestionWordingOut]


class InstrumentOut(InstrumentRow):
    short_name: str
    self_screen: bool = Field(description="a person may take it alone (a quick screen)")
    timeframe: str
    instructions: str
    source: str
    notes: str
    loinc: LoincOut
    cautious_sex: Literal["female", "male"] | None = Field(
        description="whose cut-offs apply when sex is not given"
    )
    questions: list[ItemOut]
    bands: list[BandOut]
    subscales: list[SubscaleOut]
    flags: list[FlagOut]
    wording: WordingOut = Field(
        description="what a person reads, in the request's language (Accept-Language)"
    )


def wording_out(instrument: scoring.Instrument) -> dict[str, Any]:
    words = localized.wording(instrument)
    return {
        "language": words.language,
        "translated": words.translated,
        "validated": words.validated,
        "name": words.name,
        "short_name": words.short_name,
        "timeframe": words.timeframe,
        "instructions": words.instructions,
        "source": words.source,
        "licence": words.licence,
        "questions": [
            {
                "id": item.id,
                "text": words.text_for(item),
                "variants": dict(words.items[item.id].variants),
                "options": list(words.option_labels(item)),
            }
            for item in instrument.items
        ],
    }


def _subscale_out(instrument: scoring.Instrument, subscale: scoring.Subscale) -> dict[str, Any]:
    lowest, highest = instrument.subscale_range(subscale)
    return {**subscale._asdict(), "min": lowest, "max": highest}


def instrument_detail(instrument: scoring.Instrument) -> dict[str, Any]:
    return {
        **instrument_row(instrument),
        "short_name": instrument.short_name,
        "self_screen": instrument.id in SELF_SCREENS,
        "timeframe": instrument.timeframe,
        "instructions": instrument.instructions,
        "source": instrument.source,
        "notes": instrument.notes,
        "loinc": {"panel": instrument.loinc_panel, "total": instrument.loinc_total},
        "cautious_sex": instrument.cautious_sex,
        "questions": [
            {
                "id": item.id,
                "text": item.text,
                "loinc": item.loinc,
                "variants": dict(item.variants),
                "options": [
                    {"index": index, "label": option.label, "points": option.points}
                    for index, option in enumerate(item.options)
                ],
            }
            for item in instrument.items
        ],
        "bands": [
            {"sex": sex, **band._asdict()}
            for sex, bands in instrument.bands.items()
            for band in bands
        ],
        "subscales": [_subscale_out(instrument, subscale) for subscale in instrument.subscales],
        "flags": [
            {**rule._asdict(), "item": rule.item or None, "subscale": rule.subscale or None}
            for rule in instrument.flag_rules
        ],
        "wording": wording_out(instrument),
    }


@router.get(
    "/instruments/{instrument_id}",
    response={200: InstrumentOut, **errors(404, 429)},
    operation_id="get_instrument",
    summary="One instrument: its questions, options, bands, licence and source",
)
def get_instrument(
    request: HttpRequest, instrument_id: Annotated[str, ONE_OF_THE_INSTRUMENTS]
) -> dict[str, Any]:
    try:
        instrument = scoring.get_instrument(instrument_id)
    except scoring.UnknownInstrumentError as error:
        raise Http404(str(error)) from error
    return instrument_detail(instrument)
