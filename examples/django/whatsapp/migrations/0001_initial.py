from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
    operations = [
        migrations.CreateModel(
            name="MessageMedia",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("client_id", models.CharField(max_length=100)),
                ("instance_id", models.CharField(max_length=100)),
                ("message_id", models.CharField(max_length=200)),
                ("media_type", models.CharField(max_length=20)),
                ("mimetype", models.CharField(max_length=200)),
                ("file_size", models.BigIntegerField(null=True)),
                ("caption", models.TextField(blank=True)),
                ("saved_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={"constraints": [models.UniqueConstraint(
                fields=("client_id", "instance_id", "message_id"), name="one_per_message")]},
        ),
        migrations.CreateModel(
            name="TenantAccess",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("client_id", models.CharField(max_length=100)),
                ("instance_id", models.CharField(max_length=100)),
                ("user", models.ForeignKey(on_delete=models.deletion.CASCADE,
                                           to=settings.AUTH_USER_MODEL)),
            ],
        ),
    ]
