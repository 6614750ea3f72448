"""What each app adds to the whole, declared once in the app (decidim's component manifests are the model).

An app declares a :class:`Manifest` in its ``AppConfig`` (``manifest = MANIFEST``, usually from the app's own
``manifest.py``). The registry collects the manifests of the installed apps, in ``INSTALLED_APPS`` order (which
follows the import direction), and every place that used to list the apps by hand reads from it:

* ``urls`` — the app's URL configuration mounted under a prefix (``kyoso/urls.py``);
* ``venue_sections`` / ``venue_actions`` — the links of the venue home (``{% venue_sections %}``), each with the
  venue role that sees it;
* ``navigation`` — the main menu of every page (``{% main_navigation %}``);
* ``api_routes`` — the REST API's router (``kyoso/api/urls.py``);
* ``sample_builders`` — the ``kyoso demo`` sample region (``kyoso.sample``), called in order;
* ``benchmarks`` — ``kyoso bench`` (and so ``make bench``);
* ``data_sources`` / ``open_data`` — the about-the-data page (credit lines) and the public open-data exports.

A manifest holds only strings, lazy translations and dotted paths: it is read while the app registry is still
loading, so it imports no models, views or serializers. Dotted paths are imported on first use.
Adding an app therefore means writing its folder and one line in ``INSTALLED_APPS``; the permission test
(``tests/test_permissions.py``) still lists every new URL by hand, on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

# Who sees a venue link, from the roles the user holds in that venue (``VenueAccess``):
MEMBER = "member"  # every role, observers included (and staff)
CONTRIBUTOR = "contributor"  # every role but observer
SECRETARIAT = "secretariat"  # the venue's secretariat (and staff)
VENUE_ROLES = (MEMBER, CONTRIBUTOR, SECRETARIAT)


@dataclass(frozen=True)
class UrlMount:
    """``path(prefix, include(module))`` in the project's URLs; ``prefix`` may hold ``<slug:slug>``."""

    prefix: str
    module: str


@dataclass(frozen=True)
class VenueLink:
    """A link of the venue home: ``url_name`` is reversed with the venue's slug as its only argument."""

    label: Any  # a lazy translation
    url_name: str
    role: str = MEMBER
    primary: bool = False  # the one highlighted action

    def __post_init__(self) -> None:
        if self.role not in VENUE_ROLES:
            raise ImproperlyConfigured(f"Venue link {self.url_name!r}: unknown role {self.role!r}.")


@dataclass(frozen=True)
class NavLink:
    """An entry of the main menu; ``url_name`` takes no argument. ``section``: highlighted on the pages below it."""

    label: Any
    url_name: str
    section: bool = True


@dataclass(frozen=True)
class ApiRoute:
    """``router.register(prefix, viewset, basename)``; ``viewset`` is a dotted path."""

    prefix: str
    viewset: str
    basename: str


@dataclass(frozen=True)
class SampleBuilder:
    """A step of the sample region: ``builder(venue=..., actor=...)`` returns a truthy value when it created
    something. ``in_fixtures=False`` keeps slow steps (e.g. an index build) out of the test fixtures."""

    label: str
    builder: str
    in_fixtures: bool = True

    def run(self, **kwargs: Any) -> Any:
        return import_string(self.builder)(**kwargs)


@dataclass(frozen=True)
class Benchmark:
    """A benchmark run by ``kyoso bench``: a ``kyoso`` command, or a Python module (``python -m``)."""

    name: str
    command: str = ""
    module: str = ""
    args: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if bool(self.command) == bool(self.module):
            raise ImproperlyConfigured(f"Benchmark {self.name!r}: give exactly one of command or module.")


@dataclass(frozen=True)
class OpenDataExport:
    """A public open-data file: ``url_name`` (no argument, or the venue slug when ``per_venue``)."""

    key: str
    label: Any
    url_name: str
    per_venue: bool = False
    formats: tuple[str, ...] = ("csv", "json")


@dataclass(frozen=True)
class Manifest:
    urls: tuple[UrlMount, ...] = ()
    venue_sections: tuple[VenueLink, ...] = ()
    venue_actions: tuple[VenueLink, ...] = ()
    navigation: tuple[NavLink, ...] = ()
    api_routes: tuple[ApiRoute, ...] = ()
    sample_builders: tuple[SampleBuilder, ...] = ()
    benchmarks: tuple[Benchmark, ...] = ()
    # Dotted paths to sequences of sources shown on the about-the-data page (``regions.reference_sources.Source``
    # or any object with the same attributes: key, title_ja, title_en, credit_ja, credit_en, origin, licence, …).
    data_sources: tuple[str, ...] = ()
    open_data: tuple[OpenDataExport, ...] = ()


EMPTY = Manifest()


def manifest_of(config: AppConfig) -> Manifest:
    found = getattr(config, "manifest", None)
    if found is None:
        return EMPTY
    if isinstance(found, str):
        found = import_string(found)
    if not isinstance(found, Manifest):
        raise ImproperlyConfigured(f"{config.name}.manifest must be a kyoso.common.registry.Manifest.")
    return found


def manifests() -> list[tuple[AppConfig, Manifest]]:
    """(app config, manifest) of every installed app that declares one, in ``INSTALLED_APPS`` order."""
    return [(config, manifest_of(config)) for config in apps.get_app_configs() if manifest_of(config) is not EMPTY]


def _collect(attribute: str) -> list[Any]:
    return [item for _config, manifest in manifests() for item in getattr(manifest, attribute)]


def _unique(items: Iterable[Any], key: Callable[[Any], Any], what: str) -> list[Any]:
    seen: set[Any] = set()
    result = []
    for item in items:
        if key(item) in seen:
            raise ImproperlyConfigured(f"Two apps declare the same {what}: {key(item)!r}.")
        seen.add(key(item))
        result.append(item)
    return result


def url_mounts() -> list[UrlMount]:
    return _collect("urls")


def venue_sections() -> list[VenueLink]:
    return _unique(_collect("venue_sections"), lambda link: link.url_name, "venue section")


def venue_actions() -> list[VenueLink]:
    return _unique(_collect("venue_actions"), lambda link: link.url_name, "venue action")


def navigation() -> list[NavLink]:
    return _unique(_collect("navigation"), lambda link: link.url_name, "navigation entry")


def api_routes() -> list[ApiRoute]:
    routes = _unique(_collect("api_routes"), lambda route: route.prefix, "API prefix")
    return _unique(routes, lambda route: route.basename, "API basename")


def sample_builders(*, in_fixtures: bool | None = None) -> list[SampleBuilder]:
    """Builders in app order; ``in_fixtures=True`` only those the test fixtures run, ``False`` only the others."""
    found = _collect("sample_builders")
    return found if in_fixtures is None else [b for b in found if b.in_fixtures == in_fixtures]


def benchmarks() -> list[Benchmark]:
    return _unique(_collect("benchmarks"), lambda bench: bench.name, "benchmark")


def data_sources() -> list[Any]:
    return [source for path in _collect("data_sources") for source in import_string(path)]


def open_data() -> list[OpenDataExport]:
    return _unique(_collect("open_data"), lambda export: export.key, "open-data export")


def links_for(links: Iterable[VenueLink], rights: Any) -> list[VenueLink]:
    """The links a user with these venue rights (``VenueAccess``) sees."""
    allowed = {
        MEMBER: bool(getattr(rights, "is_member", False)),
        CONTRIBUTOR: bool(getattr(rights, "can_contribute", False)),
        SECRETARIAT: bool(getattr(rights, "is_secretariat", False)),
    }
    return [link for link in links if allowed[link.role]]


def check_registry(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """System check (``kyoso check``): every declared dotted path imports and every link's URL name reverses."""
    from django.core.checks import Error
    from django.urls import NoReverseMatch, reverse

    errors = []
    try:
        declared = manifests()
        for function in (venue_sections, venue_actions, navigation, api_routes, benchmarks, open_data):
            function()
    except (ImproperlyConfigured, ImportError) as error:
        return [Error(str(error), id="kyoso.E001")]
    for config, manifest in declared:
        paths = [route.viewset for route in manifest.api_routes] + [b.builder for b in manifest.sample_builders]
        for path in [*paths, *manifest.data_sources]:
            try:
                import_string(path)
            except ImportError as error:
                errors.append(Error(f"{config.name}: cannot import {path!r} ({error}).", id="kyoso.E002"))
        for link in (*manifest.venue_sections, *manifest.venue_actions, *manifest.navigation):
            args = ["slug"] if isinstance(link, VenueLink) else []
            try:
                reverse(link.url_name, args=args)
            except NoReverseMatch:
                errors.append(Error(f"{config.name}: URL name {link.url_name!r} does not reverse.", id="kyoso.E003"))
    return errors
