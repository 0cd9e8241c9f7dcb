"""Field types every tenders shape uses."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints
from pydantic.types import Strict
from sunlight.money import MAX_FEN

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")]
Fen = Annotated[int, Strict(), Field(ge=0, le=MAX_FEN, description="Amount in fen (1/100 yuan), an integer")]
PositiveFen = Annotated[int, Strict(), Field(gt=0, le=MAX_FEN, description="Amount in fen (1/100 yuan), > 0")]
SignedFen = Annotated[int, Strict(), Field(ge=-MAX_FEN, le=MAX_FEN, description="Signed amount in fen")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=30, pattern=r"^\+?[0-9 -]+$")]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=300)]
Specialty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]

STRICT = ConfigDict(extra="forbid")
