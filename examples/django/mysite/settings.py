"""Minimal settings for the wamedia Django example."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("EXAMPLE_DATA_DIR", BASE_DIR))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "only-for-the-example")
DEBUG = True
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "whatsapp",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "mysite.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "db.sqlite3",
        # a file, not memory: wamedia's hooks write from its download threads
        "TEST": {"NAME": DATA_DIR / "test_db.sqlite3"},
    }
}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

WAMEDIA = {
    "ROOT": os.environ.get("WAMEDIA_ROOT", str(DATA_DIR / "media_storage")),
    "TOKEN": os.environ.get("WAMEDIA_WAPI_TOKEN", ""),
    "BASE_URL": os.environ.get("WAMEDIA_WAPI_URL", "https://api.w-api.app/v1"),
}
