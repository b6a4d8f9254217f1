"""The one config style of halqa: a frozen pydantic model that forbids unknown fields.

Every model's hyper-parameters, every scorer, re-ranker and studio setting is a subclass of
:class:`Config`, and the service's settings are the same thing read from the environment
(``pydantic-settings``). Constraints are declared on the fields (``Field(gt=0)``,
``Literal[...]``), never checked by hand, and a config round-trips through JSON
(``model_dump_json`` / ``model_validate_json``), which is how saved models and reports record
what produced them. ``docs/architecture.md`` says why this style and not dataclasses.

A bad value reaches the user as one :class:`~halqa.errors.ConfigError` line naming the owner
and the field, the way scikit-learn words it: "the 'factors' parameter of als must be greater
than 0; got 0".
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from halqa.errors import ConfigError

__all__ = ["Config", "describe_validation_error"]


class Config(BaseModel):
    """Base of every halqa config: frozen, unknown fields rejected, defaults validated too."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    @classmethod
    def build(cls, owner: str, base: Config | None = None, **changes: Any) -> Self:
        """``base`` (or the defaults) with ``changes`` applied, validated; ConfigError if not valid.

        ``owner`` names what the config belongs to in the message ("als", "the re-ranker").
        """
        data = base.model_dump() if base is not None else {}
        data.update(changes)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(describe_validation_error(owner, exc, cls)) from None

    def replace(self, owner: str = "", **changes: Any) -> Self:
        """A validated copy with ``changes`` (``dataclasses.replace`` for configs)."""
        return self.build(owner or type(self).__name__, self, **changes)


def describe_validation_error(owner: str, exc: ValidationError, model: type[BaseModel]) -> str:
    """The first problem of ``exc`` as one line, naming ``owner`` and the field."""
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "?"
    if error["type"] == "extra_forbidden":
        accepted = ", ".join(model.model_fields) or "none"
        return f"{owner}: unknown parameter '{field}' (accepted: {accepted})"
    rule = error["msg"]
    # pydantic words rules as "Input should be greater than 0"; keep the rule, drop the preamble.
    for preamble in ("Input should be ", "Value error, ", "Assertion failed, "):
        rule = rule.removeprefix(preamble)
    return f"the '{field}' parameter of {owner} must be {rule}; got {error.get('input')!r}"
