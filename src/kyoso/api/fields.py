"""Serializer fields shared by every app's API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_description_list
from rest_framework import serializers


class EnumField(serializers.ChoiceField):
    """A choice field documented as the one named enum component ``enum_name`` wherever it is used.

    drf-spectacular names enums after the property they appear in, and warns when one choice set is used
    under several property names (``sector``, ``required_sectors``, …) or one property name carries several
    choice sets in several components (``status``). Naming the enum here keeps the schema free of warnings
    without project-wide ``ENUM_NAME_OVERRIDES``.
    """

    def __init__(self, choices: Any, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)


class EnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        field = self.target
        component = ResolvedComponent(
            name=field.enum_name, type=ResolvedComponent.SCHEMA, object=field.enum_name,
            schema={"enum": list(field.choices), "type": "string",
                    "description": build_choice_description_list(field.choices.items())},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


def sector_field(**kwargs: Any) -> EnumField:
    """Same enum component (``SectorEnum``) as the plain ``sector`` fields of the other serializers."""
    from kyoso.regions.models import SectorChoices  # late import: api plumbing sits beside common

    return EnumField(SectorChoices.choices, enum_name="SectorEnum", **kwargs)
