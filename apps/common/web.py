"""The web app (web/): its page for every path that is not the API, the admin or a file.

The bundle is built into var/web/assets/ by `make run` / `make test` (npm from web/package-lock.json) and
served by WhiteNoise (WHITENOISE_ROOT); this view answers index.html for the app's own paths
(/login, /verify-email?token=…, /bills/12, …) so that emailed links and reloads land in the app.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed

# Scripts and styles from this origin only: nothing injected can run, nothing loads from elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

NOT_BUILT = """<!doctype html><html lang="en"><meta charset="utf-8"><title>KinWise</title>
<h1>The web app is not built</h1><p>Run <code>make run</code> (it needs Node 20 and npm) to build it.
The API is at <a href="/api/docs/">/api/docs/</a>.</p></html>"""


def web_app(request, path=""):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    built = (settings.WEB_BUILD_DIR / "assets" / "main.js").exists()
    body = (settings.BASE_DIR / "web" / "index.html").read_text() if built else NOT_BUILT
    response = HttpResponse(body, content_type="text/html; charset=utf-8", status=200 if built else 503)
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["Cache-Control"] = "no-cache"
    response["Referrer-Policy"] = "no-referrer"  # the address may carry a one-time token
    return response
