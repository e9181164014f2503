"""docs/worker-protocol.md embeds the JSON Schemas of the models the worker really uses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from adapter_worker.protocol_schema import SCHEMAS, schema

DOC = Path(__file__).resolve().parents[2] / "docs" / "worker-protocol.md"


def embedded() -> dict[str, object]:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- schema:(\w+) -->\n```json\n(.*?)\n```", text, flags=re.S)
    return {name: json.loads(body) for name, body in blocks}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_doc_schema_matches_code(name: str) -> None:
    doc = embedded()
    assert name in doc, f"{DOC} lacks the {name} schema"
    assert doc[name] == schema(name), (f"{DOC} is out of date for {name}: regenerate its schema section with "
                                       "python -m adapter_worker.protocol_schema --markdown")
