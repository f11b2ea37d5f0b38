"""Gunicorn settings for `make serve`, every one from the environment.

GUNICORN_BIND     address to listen on (default 127.0.0.1:8000; PORT alone changes the port)
GUNICORN_WORKERS  worker processes (default: 2 × cores + 1)
GUNICORN_THREADS  threads per worker (default 4: requests wait mostly on the database)
GUNICORN_TIMEOUT  seconds before a silent worker is killed and replaced (default 60)
GUNICORN_MAX_REQUESTS  requests before a worker is recycled (default 2000, with jitter)
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = max_requests // 10
# Behind nginx: trust its X-Forwarded-* headers only from the local proxy.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# The access log names every path and referring page: tracking codes (/track/<code>/)
# are taken out of them (civicloop.core.logredact, docs/privacy.md).
logger_class = "civicloop.core.logredact.GunicornLogger"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "civicloop"
