"""Token prices from pydantic's maintained table, `genai-prices` (pinned in pyproject.toml).

Unit prices are looked up once per model name at the table's base tier (prices for requests with more
than 200k input tokens are not applied: the logs are summed per model, not kept per request; ccusage
applies its tier per field per record, a known, documented difference). A model the table does not
know is priced at 0 and listed in `unpriced_models`; a cost the tool itself reported (Aider) is used
for it instead when present.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assess.sessions.model import Tokens

SOURCE_URL = "https://github.com/pydantic/genai-prices"


@dataclass(frozen=True)
class UnitPrices:
    """USD per token for each kind; `matched` is the table's model id."""

    input: float
    output: float
    cache_read: float
    cache_write: float
    matched: str
    provider: str


def table_version() -> dict[str, str]:
    try:
        version = importlib.metadata.version("genai-prices")
    except importlib.metadata.PackageNotFoundError:
        version = "unavailable"
    return {"name": "genai-prices", "version": version, "source": SOURCE_URL}


@lru_cache(maxsize=1)
def table_identity() -> dict[str, str | None]:
    """``{version, sha256}`` of the price table for stamps: the package version, and a hash of the
    data module that holds the prices (so a patched table is told apart from the released one)."""
    import hashlib

    version = table_version()["version"]
    try:
        import genai_prices.data as data_module

        digest = hashlib.sha256(Path(data_module.__file__).read_bytes()).hexdigest()
    except (ImportError, OSError, TypeError):
        digest = None
    return {"version": f"genai-prices {version}", "sha256": digest}


@lru_cache(maxsize=512)
def unit_prices(model: str) -> UnitPrices | None:
    try:
        from genai_prices import Usage, calc_price
    except ImportError:
        return None
    probe = 1000  # below every tier threshold
    try:
        base = calc_price(Usage(input_tokens=probe), model_ref=model)
        out = calc_price(Usage(output_tokens=probe), model_ref=model)
        read = calc_price(Usage(input_tokens=probe, cache_read_tokens=probe), model_ref=model)
        write = calc_price(Usage(input_tokens=probe, cache_write_tokens=probe), model_ref=model)
    except (LookupError, ValueError, TypeError):
        return None
    return UnitPrices(float(base.total_price) / probe, float(out.total_price) / probe,
                      float(read.total_price) / probe, float(write.total_price) / probe,
                      base.model.id, base.provider.id)


def cost(model: str, tokens: Tokens) -> float | None:
    """USD for `tokens` of `model`; None when the table does not know the model."""
    p = unit_prices(model)
    if p is None:
        return None
    return (tokens.input * p.input + tokens.output * p.output + tokens.cache_read * p.cache_read
            + tokens.cache_write * p.cache_write)
