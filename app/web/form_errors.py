"""Bad filters on the search page: the page again, with the message beside the fields.

The JSON twin and the feeds answer a bad filter with a 422 that names the parameter; a reader
who typed a From date after the To date gets the form back instead, with what they typed, the
message next to the fields, and the results of the filters that were fine.
"""

from dataclasses import dataclass, field

from starlette.requests import Request

from app.filters import FilterError, Filters, parse_filters

FORM_FIELDS = ("from", "to", "sort", "q")


@dataclass
class FormErrors:
    messages: dict[str, str] = field(default_factory=dict)  # field name -> message
    typed: dict[str, str] = field(default_factory=dict)  # what the reader sent, to show again

    def __bool__(self) -> bool:
        return bool(self.messages)


def filters_for_form(request: Request) -> tuple[Filters, FormErrors]:
    """The filters of the request and no errors; or, when only fields of the form are wrong,
    the filters without them and a message for each. Any other bad parameter (one the form has
    no field for) raises FilterError: the usual 422 that names it."""
    items = list(request.query_params.multi_items())
    nul = sorted({key for key, value in items if "\x00" in value})
    if nul:  # PostgreSQL refuses NUL in text
        raise FilterError([{"param": key, "msg": "contains a NUL character"} for key in nul])
    try:
        return parse_filters(items), FormErrors()
    except FilterError as exc:
        errors = exc.errors
    typed = {k: v for k, v in items if k in FORM_FIELDS}
    messages: dict[str, str] = {}
    for err in errors:
        param, msg = err["param"], err["msg"]
        if "'from' is after 'to'" in msg:  # the model's own check: both dates are to blame
            messages["dates"] = (
                f"From ({typed.get('from')}) is after To ({typed.get('to')}): "
                "choose a From date on or before the To date."
            )
        elif param in ("from", "to"):
            messages["dates"] = f"{param.capitalize()} ({typed.get(param)}) is not a date: {msg}."
        elif param in FORM_FIELDS:
            messages[param] = f"{msg}."
        else:
            raise FilterError(errors)
    drop = {"from", "to"} if "dates" in messages else set()
    drop |= messages.keys() - {"dates"}
    try:
        filters = parse_filters([(k, v) for k, v in items if k not in drop])
    except FilterError:
        raise FilterError(errors) from None
    return filters, FormErrors(messages, typed)
