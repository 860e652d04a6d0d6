"""Move the banned-substance alerts into the alerts centre: one Alert per open farm and substance.

Every attempt stays as it was (its evidence) and points to its alert. An attempt that was
handled becomes a closed alert with the inspector's note as the reason; attempts not yet
handled on the same farm with the same substance become one open alert, counted. The texts are
written here in both languages (a migration does not read the app's catalogue).
"""

from django.db import migrations

KIND_ZH = {"feed": "饲料", "vaccination": "免疫", "medication": "用药", "disease": "疫病", "death": "死亡", "disinfection": "消毒"}
MOVED = "Moved from the banned-substance alerts"


def _texts(attempt):
    farm, substance = attempt.farm, attempt.substance
    zh = f"{farm.name_zh}：企业试图在{KIND_ZH.get(attempt.kind, attempt.kind)}记录中使用禁用物质{substance.name_zh}（{attempt.animal_count}头），已拒绝。"
    en = (
        f"{farm.name_en or farm.name_zh}: the enterprise tried to record the banned substance "
        f"{substance.name_en} in a {attempt.kind} record ({attempt.animal_count} animals); refused."
    )
    return zh[:300], en[:300]


def forwards(apps, schema_editor):
    SubstanceAlert = apps.get_model("livestock", "SubstanceAlert")
    Alert = apps.get_model("surveillance", "Alert")
    HistoricalAlert = apps.get_model("surveillance", "HistoricalAlert")
    AlertNote = apps.get_model("surveillance", "AlertNote")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not SubstanceAlert.objects.exists():
        return
    subject_type, _ = ContentType.objects.get_or_create(app_label="livestock", model="substancealert")
    open_by_key = {}
    attempts = SubstanceAlert.objects.select_related("farm", "substance").order_by("attempted_at", "pk")
    for attempt in attempts:
        key = f"banned_substance:{attempt.farm_id}:{attempt.substance_id}"
        if attempt.handled_at is None and key in open_by_key:
            alert = open_by_key[key]
            alert.count += 1
            alert.last_raised_at = attempt.attempted_at
            alert.save(update_fields=["count", "last_raised_at"])
        else:
            zh, en = _texts(attempt)
            handled = attempt.handled_at is not None
            alert = Alert.objects.create(
                kind="banned_substance",
                severity=3,
                state="closed" if handled else "new",
                key=key,
                text_zh=zh,
                text_en=en,
                organisation_id=attempt.branch_id,
                role="inspector",
                farm_id=attempt.farm_id,
                enterprise_id=attempt.enterprise_id,
                subject_type=subject_type,
                subject_id=attempt.pk,
                data={"attempt": attempt.pk},
                raised_at=attempt.attempted_at,
                last_raised_at=attempt.attempted_at,
                acknowledged_at=attempt.handled_at,
                acknowledged_by_id=attempt.handled_by_id,
                closed_at=attempt.handled_at,
                closed_by_id=attempt.handled_by_id,
                close_reason=attempt.handling_note if handled else "",
                notified_at=attempt.attempted_at,  # nobody is e-mailed about the past
            )
            HistoricalAlert.objects.create(
                **{
                    f.attname: getattr(alert, f.attname)
                    for f in Alert._meta.concrete_fields
                    if f.attname not in {"count", "last_raised_at", "notified_at"}
                },
                history_date=attempt.handled_at or attempt.attempted_at,
                history_type="+",
                history_change_reason=MOVED,
                history_user_id=attempt.handled_by_id,
            )
            if handled:
                AlertNote.objects.create(
                    alert=alert, action="close", text=attempt.handling_note, author_id=attempt.handled_by_id
                )
                AlertNote.objects.filter(alert=alert).update(at=attempt.handled_at)
            else:
                open_by_key[key] = alert
        SubstanceAlert.objects.filter(pk=attempt.pk).update(alert=alert)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("livestock", "0004_substancealert_alert"),
        ("surveillance", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
