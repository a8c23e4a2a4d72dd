"""GET /docs: the OpenAPI page (swagger-ui), its files pinned and checked by the browser.

FastAPI's own /docs loads `swagger-ui-dist@5` (whatever 5.x is newest) from
jsDelivr with no integrity: whoever controls that CDN, or the package on
npm, runs script on Boussole's origin. This page pins one exact version and
gives each file's SHA-384 (Subresource Integrity), so the browser refuses
any other bytes; its Content-Security-Policy allows those two URLs and the
page's one inline script, by hash, and nothing else.

Why the CDN and not local copies: PyPI packages that bundle the files
(fastapi-offline, swagger-ui-bundle) would add a dependency whose
swagger-ui version follows that package's releases, and copying 1.5 MB of
minified JavaScript into this repository is worse to review than two
hashes the browser enforces. Without Internet access the page stays blank;
the API itself does not depend on it. The hashes were computed from the npm
package itself
(`npm pack swagger-ui-dist@5.35.0`, then
`openssl dgst -sha384 -binary FILE | openssl base64 -A`); jsDelivr serves
npm files byte for byte. To upgrade, change the version and both hashes
together (tests/hardening/test_docs_page.py checks they are used).
"""

from __future__ import annotations

import html
import json

from fastapi import APIRouter
from fastapi.openapi.docs import swagger_ui_default_parameters
from fastapi.responses import HTMLResponse

from bot.web.security_headers import source_hash

SWAGGER_UI_VERSION = "5.35.0"
CDN = f"https://cdn.jsdelivr.net/npm/swagger-ui-dist@{SWAGGER_UI_VERSION}"
SCRIPT_URL = f"{CDN}/swagger-ui-bundle.js"
STYLE_URL = f"{CDN}/swagger-ui.css"
SCRIPT_SRI = "sha384-gjRm0bEPMeTmMh5jT2cHccIwCUZSTd8YC+j0d0sXw0MdGEfScduGpSyF3ZSSLkX9"
STYLE_SRI = "sha384-WlYgdmXYOOBWL5apwjDEZwN+U3HmXSSu5R6V5aGxEcf7z+KuRNwBhoxKVN1i3D5I"
OPENAPI_URL = "/openapi.json"

# The page's only inline script, allowed by its hash (so no 'unsafe-inline').
INIT_SCRIPT = (
    f"const config = {json.dumps({**swagger_ui_default_parameters, 'url': OPENAPI_URL}, sort_keys=True)};"
    " config.presets = [SwaggerUIBundle.presets.apis]; SwaggerUIBundle(config);"
)
POLICY = (
    "default-src 'none'; "
    f"script-src {SCRIPT_URL} {source_hash(INIT_SCRIPT)}; "
    f"style-src {STYLE_URL}; "
    "img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

PAGE = f"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Boussole — documentation de l'API</title>
<link rel="stylesheet" href="{html.escape(STYLE_URL)}" integrity="{STYLE_SRI}" crossorigin="anonymous">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{html.escape(SCRIPT_URL)}" integrity="{SCRIPT_SRI}" crossorigin="anonymous"></script>
<script>{INIT_SCRIPT}</script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@router.get("/docs")
async def docs() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": POLICY})
