from django.forms.renderers import TemplatesSetting


class KyosoFormRenderer(TemplatesSetting):
    """Render every form with the design-system markup (labels, ※必須, aria-describedby errors)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
