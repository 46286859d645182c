from django.conf import settings
from django.db import models


class MessageMedia(models.Model):
    """What the app knows of each stored media, filled by wamedia's on_saved hook."""

    client_id = models.CharField(max_length=100)
    instance_id = models.CharField(max_length=100)
    message_id = models.CharField(max_length=200)
    media_type = models.CharField(max_length=20)
    mimetype = models.CharField(max_length=200)
    file_size = models.BigIntegerField(null=True)
    caption = models.TextField(blank=True)
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client_id", "instance_id",
                                                       "message_id"], name="one_per_message")]


class TenantAccess(models.Model):
    """Which user may see which tenant's media."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    client_id = models.CharField(max_length=100)
    instance_id = models.CharField(max_length=100)
