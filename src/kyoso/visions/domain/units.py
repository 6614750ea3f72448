"""What a KPI's unit says about its values: whether they are counts (whole numbers), whether they can be
negative, whether they are percentages. Plain Python (no Django).

Rules
=====

The unit is compared after NFKC normalisation, without spaces and case-folded (``"件"``, ``" 件 "``, ``"％"``).

* **Counts** — a unit that is a counter word on its own (件, 人, 名, 社, 者, 校, 回, 個, 箇所/か所/カ所/ヶ所,
  団体, 施設, 台, 本, 戸, 世帯, 組, 店, 店舗, 機関, 事業, 品目, 棟, 区画, 園, 人数, 事業所, 社数, 件数):
  values are whole numbers and never negative (``integer`` and ``non_negative``).
* **Scaled counts** — a counter word after 千, 万, 百万 or 億 (万人, 千件): never negative, but fractions are
  allowed (12.3万人).
* **Percentages** — ``%``, ``％``, ``パーセント``, ``percent``, ``pct``: ``percent``. A percentage may be
  negative (a growth rate), so it is not ``non_negative``.
* Anything else (円, 億円, ポイント, t-CO2, 人/日 …) has no rule beyond being a number: money can be a loss,
  a rate per day need not be whole.

:func:`value_problems` applies the rules to one value: ``"percent_not_expected"`` (written as a percentage
for a KPI whose unit is not one), ``"not_integer"`` (a fraction of a count), ``"negative"`` (below zero where
the unit cannot be). They are reason codes; the web layer writes the translated message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["UnitRules", "unit_rules", "value_problems"]

COUNTERS = frozenset({
    "件", "人", "名", "社", "者", "校", "回", "個", "箇所", "か所", "カ所", "ヶ所", "ケ所", "団体", "施設", "台", "本",
    "戸", "世帯", "組", "店", "店舗", "機関", "事業", "品目", "棟", "区画", "園", "人数", "事業所", "社数", "件数",
})
SCALES = ("百万", "千", "万", "億")
PERCENT_UNITS = frozenset({"%", "パーセント", "percent", "pct"})
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class UnitRules:
    integer: bool = False
    non_negative: bool = False
    percent: bool = False


def _key(unit: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", unit or "").casefold())


def unit_rules(unit: str) -> UnitRules:
    """The rules of ``unit`` (see the module docstring)."""
    key = _key(unit)
    if key in PERCENT_UNITS:
        return UnitRules(percent=True)
    if key in COUNTERS:
        return UnitRules(integer=True, non_negative=True)
    for scale in SCALES:
        if key.startswith(scale) and key[len(scale):] in COUNTERS:
            return UnitRules(non_negative=True)
    return UnitRules()


def value_problems(value: Decimal, unit: str, *, written_as_percent: bool = False) -> list[str]:
    """Reason codes for ``value`` in ``unit``, in a stable order; empty when the value is sane."""
    rules = unit_rules(unit)
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    problems: list[str] = []
    if written_as_percent and not rules.percent:
        problems.append("percent_not_expected")
    if rules.integer and value != value.to_integral_value():
        problems.append("not_integer")
    if rules.non_negative and value < 0:
        problems.append("negative")
    return problems
