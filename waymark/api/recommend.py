"""POST /recommend: a profile (CONTRACTS.md §2) in, the recommendation (§3) out, exactly as
`waymark recommend --json` answers. No account, no cookie, nothing stored."""

from __future__ import annotations

import copy
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router
from pydantic import BaseModel, ConfigDict

from waymark.api.body import read_json
from waymark.api.errors import ApiError, errors
from waymark.clinical import pathway
from waymark.clinical.profile import ProfileError, parse_profile, schema

router = Router(tags=["recommend"])


class FactorOut(BaseModel):
    factor: str
    leans: Literal["abstinence", "harm-reduction", "neutral"]
    reason: str


class SubstanceSeverityOut(BaseModel):
    criteria_met: int
    severity: str


class SafetyReasonOut(BaseModel):
    id: str
    rule: str
    reason: str


class RecommendationOut(BaseModel):
    """CONTRACTS.md §3, in `Recommendation.as_dict()` order; keys the engine adds pass
    through (extra="allow"), so the API never answers less than the command line."""

    model_config = ConfigDict(extra="allow")

    approach: Literal["abstinence", "harm-reduction", "staged"]
    substance: str
    abstinence_safer: bool
    severity: Literal["none", "mild", "moderate", "severe"]
    signs: list[str]
    urgency: Literal["none", "consider", "recommended", "urgent"]
    care_level: str
    safety: list[str]
    factors: list[FactorOut]
    next_steps: list[str]
    severity_by_substance: dict[str, SubstanceSeverityOut]
    approach_reason: str
    urgency_reason: str
    care_level_reason: str
    safety_reasons: list[SafetyReasonOut]


def profile_request_body() -> dict[str, Any]:
    """The profile's own JSON Schema as the documented body; `$schema` and `$id` would make
    an OpenAPI tool resolve it as a separate document."""
    body = {k: copy.deepcopy(v) for k, v in schema().items() if k not in ("$schema", "$id")}
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    }


def recommendation(data: Any) -> dict[str, Any]:
    """Parse as the command line does (no other check first) and recommend."""
    try:
        profile = parse_profile(data)
    except ProfileError as error:
        raise ApiError(
            400, "invalid-profile", f"invalid profile: {error}", {error.path: error.detail}
        ) from error
    return pathway.recommend(profile).as_dict()


@router.post(
    "/recommend",
    response={200: RecommendationOut, **errors(400, 413, 429)},
    operation_id="recommend",
    summary="Recommend a path for a check-up profile",
    openapi_extra=profile_request_body(),
)
def recommend(request: HttpRequest) -> dict[str, Any]:
    """The body is a profile v1 object; invalid input answers 400 with the JSON path at
    fault in `fields`, as `waymark recommend` names it."""
    return recommendation(read_json(request))
