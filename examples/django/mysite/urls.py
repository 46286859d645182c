from django.urls import path
from whatsapp import views

urlpatterns = [
    path("webhook/<str:client_id>/<str:instance_id>", views.webhook),
    path("media/<str:client_id>/<str:instance_id>/<str:message_id>", views.media_file),
]
