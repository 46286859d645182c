"""The original system's Portuguese names, as thin aliases of the English API.

    m = criar_media_manager(1, "3B6XIW", bearer_token="...")
    m.processar_mensagem_whatsapp(webhook)        # -> MediaRecord | None
    m.obter_estatisticas()["tamanho_total_mb"]
    process_webhook_media(webhook, 1, "3B6XIW")   # non-blocking
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["CompatMixin", "criar_media_manager", "process_webhook_media"]


class CompatMixin:
    """Methods of the original ``MediaManager``."""

    def processar_mensagem_whatsapp(self, webhook_data: Any) -> Any:
        """``process_message(webhook_data)``: the media's final record, or None."""
        return self.process_message(webhook_data)  # type: ignore[attr-defined]

    def obter_estatisticas(self) -> dict[str, Any]:
        """``dict(stats())``: cliente_id, instance_id, total_midias, midias_baixadas,
        midias_pendentes, midias_falhadas, por_tipo, tamanho_total_bytes, tamanho_total_mb."""
        return dict(self.stats())  # type: ignore[attr-defined]

    def reprocessar_midias_pendentes(self) -> int:
        """``retry_pending()``: how many media were scheduled again."""
        return self.retry_pending()  # type: ignore[attr-defined]

    def limpar_arquivos_antigos(self, dias: int = 30) -> int:
        """``purge_older_than(dias)``: how many files were removed."""
        return self.purge_older_than(dias).files  # type: ignore[attr-defined]


def criar_media_manager(cliente_id: int | str, instance_id: str, bearer_token: str,
                        base_path: str | os.PathLike[str] = "media_storage", **opts: Any):
    """The cached manager of a tenant, downloading through W-API with ``bearer_token``.

    ``base_url`` and ``timeout`` in ``opts`` go to WAPISource, the rest to MediaManager.
    """
    from .registry import open_manager
    from .sources import WAPISource

    source_opts = {k: opts.pop(k) for k in ("base_url", "timeout") if k in opts}
    return open_manager(cliente_id, instance_id, root=base_path,
                        source=WAPISource(token=bearer_token, **source_opts), **opts)


def process_webhook_media(webhook_data: Any, cliente_id: int | str, instance_id: str) -> list:
    """Hand a webhook to the tenant's open manager and return at once (pending records)."""
    from .registry import find_manager

    return find_manager(cliente_id, instance_id).process_webhook(webhook_data, wait=False)
