from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("livestock", "0005_substance_attempts_into_alerts_centre"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="substancealert", name="livestock_s_branch__8c791e_idx"),
        migrations.RemoveField(model_name="historicalsubstancealert", name="handled_at"),
        migrations.RemoveField(model_name="historicalsubstancealert", name="handled_by"),
        migrations.RemoveField(model_name="historicalsubstancealert", name="handling_note"),
        migrations.RemoveField(model_name="substancealert", name="handled_at"),
        migrations.RemoveField(model_name="substancealert", name="handled_by"),
        migrations.RemoveField(model_name="substancealert", name="handling_note"),
        migrations.AddIndex(
            model_name="substancealert",
            index=models.Index(fields=["branch", "attempted_at"], name="livestock_s_branch__253802_idx"),
        ),
    ]
