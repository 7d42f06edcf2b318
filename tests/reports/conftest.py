from tests.tickets.conftest import shipped_calendar, sla_targets  # noqa: F401
from tests.tickets.dashboard.test_dashboard import history, licence  # noqa: F401
