"""Finds the files of resources/ and seeds/, in a checkout (or editable install) and installed alike."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


@cache
def _base(top: str) -> Path:
    # In a checkout or an editable install the folders sit beside the package; a regular install
    # maps them to registry_desk.resources / registry_desk.seeds (see pyproject.toml).
    here = _CHECKOUT / top
    if here.is_dir() and (_CHECKOUT / "pyproject.toml").is_file():
        return here
    return Path(__file__).resolve().parent / top


def resource(*parts: str) -> Path:
    """A file below resources/ (fonts/…, policy/…, translations/…)."""
    return _base("resources").joinpath(*parts)


def seed(*parts: str) -> Path:
    """A file below seeds/ (the demo data set)."""
    return _base("seeds").joinpath(*parts)
