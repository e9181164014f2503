"""Print the JSON Schemas of protocol v1 (the ones docs/worker-protocol.md embeds).

    python -m adapter_worker.protocol_schema            # all, as JSON keyed by name
    python -m adapter_worker.protocol_schema --markdown  # the doc's schema section

A test compares the doc with these, so the contract and the code cannot drift apart.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from pydantic import BaseModel

from .params import EditParams, GenerateParams, TrainParams, TrainXAdapterParams
from .protocol import (
    AckResponse,
    CompleteRequest,
    FailRequest,
    HeartbeatRequest,
    HeartbeatResponse,
    LeaseRequest,
    LeaseResponse,
    ReleaseRequest,
)

SCHEMAS: dict[str, type[BaseModel]] = {
    "LeaseRequest": LeaseRequest,
    "LeaseResponse": LeaseResponse,
    "HeartbeatRequest": HeartbeatRequest,
    "HeartbeatResponse": HeartbeatResponse,
    "CompleteRequest": CompleteRequest,
    "FailRequest": FailRequest,
    "ReleaseRequest": ReleaseRequest,
    "AckResponse": AckResponse,
    "GenerateParams": GenerateParams,
    "TrainParams": TrainParams,
    "EditParams": EditParams,
    "TrainXAdapterParams": TrainXAdapterParams,
}


def schema(name: str) -> dict[str, Any]:
    # Requests are validated as they are sent; responses as the worker reads them.
    mode = "serialization" if name.endswith("Request") else "validation"
    return SCHEMAS[name].model_json_schema(mode=mode)


def markdown() -> str:
    parts = []
    for name in SCHEMAS:
        body = json.dumps(schema(name), indent=2, sort_keys=True)
        parts.append(f"### {name}\n\n<!-- schema:{name} -->\n```json\n{body}\n```\n")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="adapter_worker.protocol_schema")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown())
    else:
        print(json.dumps({name: schema(name) for name in SCHEMAS}, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
