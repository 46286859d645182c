"""The wamedia side: one cached manager per tenant, with a hook into the Django models."""

from django.conf import settings
from django.db import close_old_connections

from wamedia import MediaRecord, WAPISource, open_manager


def save_media(record: MediaRecord) -> None:
    """on_saved: runs in wamedia's download thread, so it manages its DB connection."""
    from .models import MessageMedia

    close_old_connections()
    MessageMedia.objects.update_or_create(
        client_id=record.cliente_id, instance_id=record.instance_id,
        message_id=record.message_id,
        defaults={"media_type": str(record.media_type), "mimetype": record.mimetype,
                  "file_size": record.file_size, "caption": record.caption or ""},
    )


def manager(client_id: str, instance_id: str):
    config = settings.WAMEDIA
    return open_manager(client_id, instance_id, root=config["ROOT"],
                        source=WAPISource(token=config["TOKEN"], base_url=config["BASE_URL"]),
                        on_saved=save_media)
