"""The vendored reference data is the design folder's, byte for byte."""

from __future__ import annotations

import os

import pytest

from tests.reference import DATA, ORIGINS, SHARED


def test_every_vendored_file_has_an_origin() -> None:
    assert sorted(p.name for p in DATA.iterdir()) == sorted(ORIGINS)


@pytest.mark.parametrize("name", sorted(ORIGINS))
def test_vendored_copy_matches_the_design_folder(name: str) -> None:
    origin = SHARED / ORIGINS[name]
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI expects the design folder beside the repository: {SHARED}")
        pytest.skip("no ../shared beside this clone: the vendored copy is used as it is")
    assert origin.exists(), f"{origin} is gone; vendored {name} has no origin any more"
    assert (DATA / name).read_bytes() == origin.read_bytes(), (
        f"tests/reference_data/{name} differs from {origin}: copy the new one in"
    )
