import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("livestock", "0003_rejected_payload_bounded"),
        ("surveillance", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="historicalsubstancealert",
            options={
                "get_latest_by": ("history_date", "history_id"),
                "ordering": ("-history_date", "-history_id"),
                "verbose_name": "historical banned-substance attempt",
                "verbose_name_plural": "historical banned-substance attempts",
            },
        ),
        migrations.AlterModelOptions(
            name="substancealert",
            options={
                "ordering": ["-attempted_at"],
                "verbose_name": "banned-substance attempt",
                "verbose_name_plural": "banned-substance attempts",
            },
        ),
        migrations.AddField(
            model_name="historicalsubstancealert",
            name="alert",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="surveillance.alert",
                verbose_name="alert",
            ),
        ),
        migrations.AddField(
            model_name="substancealert",
            name="alert",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="substance_attempts",
                to="surveillance.alert",
                verbose_name="alert",
            ),
        ),
    ]
