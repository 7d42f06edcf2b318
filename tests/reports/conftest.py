from tests.tickets.conftest import _media_in_tmp, shipped_calendar, sla_targets  # noqa: F401
from tests.tickets.dashboard.test_dashboard import history, licence  # noqa: F401
