"""Rejected payloads become bounded evidence: the body as text (cut at a byte cap), its size, a kind."""

import json

from django.db import migrations, models


def payload_to_body(apps, schema_editor):
    RejectedPayload = apps.get_model("livestock", "RejectedPayload")
    for row in RejectedPayload.objects.only("pk", "payload").iterator(chunk_size=500):
        text = json.dumps(row.payload, ensure_ascii=True, separators=(",", ":"), default=str)
        kind = "revoked" if row.reason == "device revoked" else "invalid"
        RejectedPayload.objects.filter(pk=row.pk).update(body=text[:262144], size=len(text), kind=kind)


class Migration(migrations.Migration):
    dependencies = [
        ("livestock", "0002_animal_copied_references_unconstrained"),
    ]

    operations = [
        migrations.AddField(
            model_name="rejectedpayload",
            name="body",
            field=models.TextField(default="", verbose_name="payload"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="rejectedpayload",
            name="size",
            field=models.PositiveIntegerField(default=0, verbose_name="size (bytes)"),
        ),
        migrations.AddField(
            model_name="rejectedpayload",
            name="kind",
            field=models.CharField(
                choices=[
                    ("revoked", "reader revoked"),
                    ("invalid", "not a valid payload"),
                    ("reads", "reads refused"),
                    ("heartbeat", "heartbeat refused"),
                ],
                default="invalid",
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(payload_to_body, migrations.RunPython.noop),
        migrations.RemoveField(model_name="rejectedpayload", name="payload"),
        migrations.AlterField(
            model_name="rejectedpayload",
            name="received_at",
            field=models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="received"),
        ),
        migrations.AddIndex(
            model_name="rejectedpayload",
            index=models.Index(fields=["device_code", "id"], name="livestock_r_device__bd6ee7_idx"),
        ),
    ]
