"""ASGI entry point: HTTP and WebSockets (`manage.py serve`, and the `ws` service)."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from accounts.websocket import TokenAuthMiddleware  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from jobs import fanout  # noqa: E402
from ops.prometheus import WebSocketCounter  # noqa: E402


class BrowserOriginValidator(OriginValidator):
    """Browsers must come from an allowed host or CORS origin; other clients send no Origin.

    A browser always sends Origin with a WebSocket handshake, so checking it is what keeps
    another site's page from opening a socket with this site's session cookie (cross-site
    WebSocket hijacking). A client without an Origin header (a script, a mobile app) is let
    through to the token check: it can only present cookies it holds itself.
    """

    def valid_origin(self, parsed_origin):
        return parsed_origin is None or super().valid_origin(parsed_origin)


async def lifespan(scope, receive, send):
    """ASGI lifespan: at shutdown the job-event hub leaves its groups and stops receiving."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await fanout.shutdown()
            await send({"type": "lifespan.shutdown.complete"})
            return


allowed_origins = [*settings.ALLOWED_HOSTS, *settings.CORS_ALLOWED_ORIGINS]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The browser pages' session (cookie) signs a socket in; a bearer token, where one is
        # sent, takes precedence (API clients). WebSocketCounter: the Prometheus gauge.
        "websocket": WebSocketCounter(
            BrowserOriginValidator(
                AuthMiddlewareStack(TokenAuthMiddleware(URLRouter(websocket_urlpatterns))),
                allowed_origins,
            )
        ),
        "lifespan": lifespan,
    }
)

# What start-up loaded (Django, the apps, their modules) lives as long as the process: keep it
# out of the garbage collector's full passes, which otherwise walk it all and, in a process
# holding 1,000 sockets, paused a job-event fan-out for 100-170 ms (docs/benchmarks.md).
gc.freeze()
# The sockets' own objects come later and live long too: with the default thresholds a full
# pass over them came every few events and held a fan-out to 1,000 subscribers for 60-100 ms
# (p99 136 ms); collecting the young generation every 50,000 allocations instead of 700 and
# the old one 20x less often took the p99 to 71 ms (docs/benchmarks.md, issue 3).
gc.set_threshold(50_000, 20, 100)
