"""Quick screens: any self-rated instrument on its own, scored at once, nothing stored."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from waymark import wording as localized
from waymark.clinical import scoring
from waymark.screeners.catalogue import SELF_SCREENS
from waymark.screeners.forms import InstrumentForm


def _self_screen(instrument_id: str) -> scoring.Instrument:
    if instrument_id not in SELF_SCREENS:
        raise Http404("No such screen.")
    return scoring.get_instrument(instrument_id)


def screener_list(request: HttpRequest) -> HttpResponse:
    instruments = [scoring.get_instrument(i) for i in SELF_SCREENS]
    return render(request, "waymark/screeners/list.html", {"instruments": instruments})


def screener(request: HttpRequest, instrument_id: str) -> HttpResponse:
    instrument = _self_screen(instrument_id)
    form = InstrumentForm(instrument, request.POST if request.method == "POST" else None)
    words = localized.wording(instrument)  # in the page's language
    if request.method == "POST" and form.is_valid() and form.score is not None:
        return render(
            request,
            "waymark/screeners/result.html",
            {"instrument": instrument, "words": words, "score": form.score},
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "waymark/screeners/form.html",
        {"instrument": instrument, "words": words, "form": form},
        status=status,
    )
