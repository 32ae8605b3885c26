"""Write the GraphQL schema file: ``python -m schema`` (then commit schema/schema.graphql).

The file is the contract clients read and generate code from; a test fails
whenever the schema in the code and the committed file differ, so a change
to the API is always a visible change in review.
"""

from __future__ import annotations

from pathlib import Path

from strawberry.printer import print_schema

from schema.graphql import schema

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.graphql"


def render() -> str:
    return print_schema(schema) + "\n"


def main() -> int:
    SCHEMA_FILE.write_text(render(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
