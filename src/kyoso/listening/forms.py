"""Forms of the listening pages (rendered by the project's form renderer: labels, ※必須, errors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .domain.topics import MAX_K, MIN_K


class UploadForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200,
                            help_text=_("例：令和8年度 市民意識調査「市政への要望」自由記述"))
    source = forms.CharField(label=_("出典・説明"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("どの調査・意見募集の回答か（実施時期、対象、設問など）。公開ページにも表示します。"))
    file = forms.FileField(label=_("ファイル（CSV または Excel）"),
                           help_text=_("1行目は見出し行です。UTF-8 でも Shift_JIS（Excel の CSV）でも読めます。"))

    def clean_file(self) -> Any:
        from .services import MAX_UPLOAD_BYTES

        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:  # refused before the file is read into memory
            raise forms.ValidationError(_("ファイルが大きすぎます（%(max_mb)s MB まで）。")
                                        % {"max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
        return upload


K_CHOICES = [("", _("自動（シルエット係数で選ぶ）"))] + [(str(k), str(k)) for k in range(MIN_K, MAX_K + 1)]


class ColumnForm(forms.Form):
    column = forms.TypedChoiceField(label=_("自由記述の列"), coerce=int, widget=forms.RadioSelect)
    k = forms.TypedChoiceField(label=_("トピックの数"), choices=K_CHOICES, coerce=int, required=False,
                               empty_value=None)

    def __init__(self, *args: Any, columns: list[str], initial_column: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["column"].choices = [(i, name) for i, name in enumerate(columns)]
        self.fields["column"].initial = initial_column


class PublishForm(forms.Form):
    publish = forms.BooleanField(required=False)
