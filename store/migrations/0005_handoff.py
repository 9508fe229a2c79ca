"""Handoff to NGO staff: cases (case <-> person <-> forum topic) and topic sends."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("store", "0003_broadcasts")]

    operations = [
        migrations.AddField(
            model_name="outbox",
            name="thread_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outbox",
            name="copy_from",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outbox",
            name="copy_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="Case",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("pseudonym", models.CharField(db_index=True, max_length=40)),
                ("chat_id", models.BigIntegerField()),
                ("language", models.CharField(max_length=2)),
                ("region", models.CharField(blank=True, max_length=40)),
                ("topic", models.CharField(blank=True, max_length=40)),
                ("staff_chat_id", models.BigIntegerField()),
                ("thread_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
                ("state", models.CharField(db_index=True, default="open", max_length=6)),
                ("left_outside_hours", models.BooleanField(default=False)),
                ("created", models.DateTimeField()),
                ("last_staff", models.DateTimeField(blank=True, null=True)),
                ("announced", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state", "open")),
                        fields=("pseudonym",),
                        name="one_open_case",
                    )
                ],
            },
        ),
    ]
