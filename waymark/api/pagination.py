"""Every list under /api/v1 is paginated the same way: `?limit=&offset=`, answered as
`{"items": [...], "count": n}`."""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any, TypeVar

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_PAGE = 100
F = TypeVar("F", bound=Callable[..., Any])


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(20, ge=1, le=MAX_PAGE)
        offset: int = Field(0, ge=0, le=1_000_000)


def resolved(view: F) -> F:
    """The view with its annotations evaluated in its own module: ninja reads a paginated
    view's annotations in ninja's module, where names such as `uuid` mean nothing. Put it
    below `@paginate(Page)`."""
    view.__annotations__ = typing.get_type_hints(view)
    return view
