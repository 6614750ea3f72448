from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenuesConfig(AppConfig):
    name = "kyoso.venues"
    verbose_name = _("地域共創の場")
    manifest = "kyoso.venues.manifest.MANIFEST"  # what the app adds to the whole: kyoso.common.registry

    def ready(self) -> None:
        from kyoso.common.access import register_roles_provider
        from kyoso.regions.models import register_steward_provider
        from kyoso.venues.queries import organizations_looked_after, roles_of

        register_roles_provider(roles_of)  # the access rules VENUE_PARTICIPANT and SECRETARIAT ask venues
        register_steward_provider(organizations_looked_after)  # Organization/Person.objects.editable_by ask venues
