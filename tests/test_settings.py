"""The run modes' settings: production passes Django's deployment checks; Celery is safe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_the_deploy_check():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x7#kq2!v9m@p4z$w8r&t1y^u6i*o3e(a5s)d0f-g+h=j_l;c:b,n.<>q?",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/livestock",
        "DJANGO_ALLOWED_HOSTS": "livestock.example.cn",
        # The certificate signing key (quarantine): the base64 of a 32-byte Ed25519 seed.
        "QUARANTINE_SIGNING_KEY": "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=",
    }
    env.pop("DJANGO_DEBUG", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_run_without_a_certificate_signing_key():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x7#kq2!v9m@p4z$w8r&t1y^u6i*o3e(a5s)d0f-g+h=j_l;c:b,n.<>q?",
        "DATABASE_URL": "postgres://x@127.0.0.1/x",
        "DJANGO_ALLOWED_HOSTS": "x",
    }
    for name in ("QUARANTINE_SIGNING_KEY", "QUARANTINE_SIGNING_KEY_FILE", "QUARANTINE_KEY_GENERATE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "quarantine.E001" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": "postgres://x@127.0.0.1/x",
        "DJANGO_ALLOWED_HOSTS": "x",
    }
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_celery_is_json_only_and_at_least_once():
    from config.celery import app

    conf = app.conf
    assert conf.task_serializer == "json" and conf.result_serializer == "json"
    assert list(conf.accept_content) == ["json"]
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit


def test_tasks_run_in_process_only_without_a_broker():
    from config.settings import base

    assert base.CELERY_TASK_ALWAYS_EAGER == (not base.REDIS_URL)
    assert base.CELERY_BROKER_URL == (base.REDIS_URL or "memory://")


def test_languages_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ


def test_each_test_worker_has_a_redis_db_of_its_own():
    # pytest-xdist's workers (make test): the URL's db, then the next ones, never past Redis's 16.
    from config.settings.test import _worker_redis_url

    assert _worker_redis_url("redis://127.0.0.1:6379/8", "gw0", 2) == "redis://127.0.0.1:6379/8"
    assert _worker_redis_url("redis://:pw@redis:6379/8?x=1", "gw1", 2) == "redis://:pw@redis:6379/9?x=1"
    assert _worker_redis_url("redis://127.0.0.1:6379", "gw3", 4) == "redis://127.0.0.1:6379/3"
    with pytest.raises(ImproperlyConfigured, match="db 16"):
        _worker_redis_url("redis://127.0.0.1:6379/15", "gw0", 2)
    if settings.REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER"):
        assert settings.CACHES["default"]["LOCATION"] == settings.REDIS_URL == settings.CELERY_BROKER_URL
