"""The bench takes each page's share of the ceilings measured just before and
after it: the machine's speed drifts within a run."""

from __future__ import annotations

from bench.run import _ceilings_beside, build_scenarios

PERSONAS = {
    "agent_cookie": "a",
    "manager_cookie": "m",
    "filer_cookie": "f",
    "supervisor_cookie": "s",
    "ceiling_path": "/staff/bench-ceiling/",
    "filters": {"priority": "high"},
    "deep_cursor": "_1",
    "ticket_20": "HD-2023-000205",
    "filing": {"subject": "s"},
    "dashboard_path": "/staff/dashboard/",
    "report_path": "/staff/reports/?by=agent",
    "searches": ["backup"],
    "api_agent": "Bearer a",
    "api_filer": "Bearer f",
    "api_filing": {"subject": "s {n}"},
    "kb_articles": ["/kb/ru/a/"],
    "kb_typing": [{"subject": "резерв"}],
    "kb_searches": ["backup"],
}


def test_a_ceiling_runs_before_and_after_every_page_and_the_slow_ones_last():
    names = [scenario.name for scenario in build_scenarios(PERSONAS)]

    assert names[0] == "ceiling"
    pages = names[: names.index("search")]
    assert pages[1::2] == [
        "queue",
        "queue_filtered",
        "queue_deep",
        "ticket_20_messages",
        "organisation_list",
        "file_ticket",
        "dashboard",
        "api_ticket_list",
        "api_file_ticket",
        "kb_article",
        "kb_suggest",
        "kb_search",
        "reports_30_days",
        "schedule_status",
    ]
    assert set(pages[::2]) == {"ceiling"}
    assert names[-1] == "search"


def test_a_share_is_of_the_two_ceilings_beside_the_page() -> None:
    results = [
        {"name": "ceiling", "rps": 600},
        {"name": "queue", "rps": 100},
        {"name": "ceiling", "rps": 400},
        {"name": "ticket", "rps": 50},
        {"name": "ceiling", "rps": 300},
        {"name": "search", "rps": 20},
    ]

    assert _ceilings_beside(results, 1) == [600, 400]
    assert _ceilings_beside(results, 3) == [400, 300]
    assert _ceilings_beside(results, 5) == [300]
