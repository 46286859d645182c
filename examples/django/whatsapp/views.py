from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from wamedia import MediaNotFound, PayloadError

from .media import manager
from .models import TenantAccess


@csrf_exempt
@require_POST
def webhook(request, client_id, instance_id):
    """The gateway's webhook: record the media and answer at once; workers download."""
    try:
        records = manager(client_id, instance_id).process_webhook(request.body, wait=False)
    except PayloadError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"media": [r.message_id for r in records]}, status=202)


@require_GET
def media_file(request, client_id, instance_id, message_id):
    """The stored file, for a user with access to that tenant (404 for anyone else)."""
    if not request.user.is_authenticated or not TenantAccess.objects.filter(
            user=request.user, client_id=client_id, instance_id=instance_id).exists():
        raise Http404
    m = manager(client_id, instance_id)
    try:
        url = m.url(message_id)
        if url.startswith("http"):
            return HttpResponseRedirect(url)  # presigned S3 URL
        record = m.get(message_id)
        return FileResponse(m.open(message_id), content_type=record.mimetype)
    except MediaNotFound as exc:
        raise Http404 from exc
