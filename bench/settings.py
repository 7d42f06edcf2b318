"""The production settings (`helpdesk.settings`, DEBUG=false) plus the ceiling's URL.

`make bench` runs gunicorn with this module so that the ceiling, a trivial
page, goes through exactly the middleware, session and settings of the pages
it is compared with, without shipping a benchmark URL in the product.
"""

from helpdesk.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
