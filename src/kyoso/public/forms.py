from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_CHARS


class EasySummaryForm(forms.Form):
    text = forms.CharField(
        label=_("やさしい日本語の説明"), required=False, max_length=MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("短い文で書きます（1文40字まで）。むずかしい漢語は、やさしい言葉に言いかえます。空にして保存すると削除します。"),
    )
