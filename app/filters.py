"""The filters every view shares: parsed and validated once, turned back into URLs by the server."""

import re
from datetime import date
from typing import Literal
from urllib.parse import urlencode

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

ENTITY_PARAMS = ("company", "chip", "restriction", "region", "agency")
LIST_PARAMS = (*ENTITY_PARAMS, "lang", "source")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
LANG = re.compile(r"^[a-z]{2,3}$")
MAX_QUERY = 500
MAX_VALUES = 20


class FilterError(ValueError):
    """A filter value that is wrong; the message says which and why (served as 422)."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__("; ".join(f"{e['param']}: {e['msg']}" for e in errors))


class Filters(BaseModel):
    model_config = {"frozen": True}

    q: str = Field("", max_length=MAX_QUERY)
    company: tuple[str, ...] = ()
    chip: tuple[str, ...] = ()
    restriction: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    agency: tuple[str, ...] = ()
    lang: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    date_from: date | None = Field(None, alias="from")
    date_to: date | None = Field(None, alias="to")
    sort: Literal["relevance", "newest", "oldest"] | None = None
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(20, ge=1, le=100)
    expand: bool = True

    @field_validator(*ENTITY_PARAMS)
    @classmethod
    def _slugs(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not SLUG.match(value):
                raise ValueError(f"{value!r} is not an entity id (lowercase letters, digits, hyphens)")
        return values

    @field_validator("lang")
    @classmethod
    def _langs(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            if not LANG.match(value):
                raise ValueError(f"{value!r} is not a language code such as ar, en, zh, fr")
        return values

    @model_validator(mode="after")
    def _range(self) -> "Filters":
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("'from' is after 'to'")
        return self

    @property
    def effective_sort(self) -> str:
        return self.sort or ("relevance" if self.q.strip() else "newest")

    def entity_filters(self) -> dict[str, tuple[str, ...]]:
        return {name: getattr(self, name) for name in ENTITY_PARAMS if getattr(self, name)}

    def is_empty(self) -> bool:
        return not (self.q.strip() or any(getattr(self, p) for p in LIST_PARAMS)
                    or self.date_from or self.date_to)

    # --- URLs -------------------------------------------------------------------------------
    def params(self, *, paging: bool = True) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        for name in LIST_PARAMS:
            out.extend((name, v) for v in getattr(self, name))
        if self.date_from:
            out.append(("from", self.date_from.isoformat()))
        if self.date_to:
            out.append(("to", self.date_to.isoformat()))
        if self.sort:
            out.append(("sort", self.sort))
        if not self.expand:
            out.append(("expand", "0"))
        if paging:
            if self.page != 1:
                out.append(("page", str(self.page)))
            if self.per_page != 20:
                out.append(("per_page", str(self.per_page)))
        return out

    def query_string(self, **kwargs) -> str:
        return urlencode(self.params(**kwargs))

    def replace(self, **changes) -> "Filters":
        """A copy with changes; any change of what is shown goes back to page 1."""
        changes.setdefault("page", 1)
        data = self.model_dump(by_alias=True)
        data.update({("from" if k == "date_from" else "to" if k == "date_to" else k): v
                     for k, v in changes.items()})
        return Filters.model_validate(data)

    def toggle(self, param: str, value: str) -> "Filters":
        current = getattr(self, param)
        values = tuple(v for v in current if v != value) if value in current else (*current, value)
        return self.replace(**{param: values})


def parse_filters(multi: list[tuple[str, str]]) -> Filters:
    """Build Filters from query parameters (repeated keys kept); raise FilterError on bad input."""
    data: dict[str, object] = {}
    for key, value in multi:
        if key in LIST_PARAMS:
            value = value.strip()
            if value:
                values = data.setdefault(key, [])
                if value not in values:
                    values.append(value)
        elif key in ("q", "from", "to", "sort", "page", "per_page", "expand"):
            data[key] = value.strip()
    errors = [{"param": k, "msg": f"at most {MAX_VALUES} values"}
              for k in LIST_PARAMS if len(data.get(k, [])) > MAX_VALUES]
    for key in ("from", "to", "sort"):
        if data.get(key) == "":
            del data[key]
    if data.get("expand") in ("0", "false", "off", "no"):
        data["expand"] = False
    elif "expand" in data:
        data["expand"] = True
    if errors:
        raise FilterError(errors)
    try:
        return Filters.model_validate(data)
    except ValidationError as exc:
        raise FilterError([
            {"param": str(err["loc"][0]) if err["loc"] else "filters",
             "msg": err["msg"].removeprefix("Value error, ")}
            for err in exc.errors()
        ]) from None
