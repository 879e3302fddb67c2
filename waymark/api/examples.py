"""The example people and the path Waymark suggests for each: the JSON twin of
/paths/examples/."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Router
from pydantic import BaseModel, WithJsonSchema

from waymark.api.errors import errors
from waymark.api.recommend import RecommendationOut, recommendation
from waymark.paths.examples import examples

router = Router(tags=["examples"])
ONE_OF_THE_EXAMPLES = WithJsonSchema({"type": "string", "enum": [p["slug"] for p in examples()]})


class ExampleRow(BaseModel):
    slug: str
    title: str
    summary: str


class ExampleOut(ExampleRow):
    profile: dict[str, Any]
    recommendation: RecommendationOut


def _row(person: dict[str, Any]) -> dict[str, Any]:
    return {"slug": person["slug"], "title": person["title"], "summary": person["summary"]}


@router.get(
    "/examples",
    response={200: list[ExampleRow], **errors(429)},
    operation_id="list_examples",
    summary="The example people",
)
def list_examples(request: HttpRequest) -> list[dict[str, Any]]:
    return [_row(person) for person in examples()]


@router.get(
    "/examples/{slug}",
    response={200: ExampleOut, **errors(404, 429)},
    operation_id="get_example",
    summary="One example person, their profile and the recommendation",
)
def get_example(request: HttpRequest, slug: Annotated[str, ONE_OF_THE_EXAMPLES]) -> dict[str, Any]:
    for person in examples():
        if person["slug"] == slug:
            return {
                **_row(person),
                "profile": person["profile"],
                "recommendation": recommendation(person["profile"]),
            }
    raise Http404("No such example.")
