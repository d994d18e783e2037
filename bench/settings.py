"""Lexhub's settings with the bench's anchors served beside the product (bench.anchor_urls); gunicorn
started by the bench runs with DJANGO_SETTINGS_MODULE=bench.settings, so one server answers both."""

from lexhub.settings import *  # noqa: F403

ROOT_URLCONF = "bench.anchor_urls"
