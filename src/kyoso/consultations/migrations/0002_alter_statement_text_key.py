from django.db import migrations, models


def rehash(apps, schema_editor):
    """Keys written by 0001 held the normalised text itself; store its SHA-256 instead (before the column shrinks)."""
    from kyoso.consultations.domain.moderation import statement_digest

    Statement = apps.get_model("consultations", "Statement")
    for statement in Statement.objects.only("id", "text").iterator():
        Statement.objects.filter(pk=statement.pk).update(text_key=statement_digest(statement.text))


class Migration(migrations.Migration):

    dependencies = [
        ('consultations', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(rehash, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='statement',
            name='text_key',
            field=models.CharField(editable=False, max_length=64),
        ),
    ]
