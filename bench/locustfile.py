"""The mixed load test of `make bench` (issue 9): customers and agents at once.

bench/run.py writes a plan (BENCH_LOAD_PLAN: signed-in sessions, licences,
references) and runs this headless against gunicorn on 127.0.0.1 for a fixed
time. Customers file tickets and read their list and tickets; agents work
the queue: the default view, a filter, ticket pages and internal notes.
Every answer must be the expected status (a filed ticket redirects to its
page); afterwards run.py counts the filed tickets in the database.
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["BENCH_LOAD_PLAN"]).read())  # noqa: SIM115
_customers = itertools.cycle(PLAN["customers"])
_agents = itertools.cycle(PLAN["agents"])
_filed = itertools.count(1)
# Each ticket the server says it filed (its page, from the redirect): run.py
# looks every one up in the database afterwards.
_filed_log = open(os.environ["BENCH_LOAD_FILED"], "a")  # noqa: SIM115


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.5)

    def signed_in(self, identity: dict) -> None:
        self.identity = identity
        self.client.headers.update(
            {
                "Cookie": identity["cookie"],
                # Production sits behind a TLS proxy.
                "X-Forwarded-Proto": "https",
                "Origin": PLAN["origin"],
                "Referer": PLAN["origin"] + "/",
            }
        )

    def get(self, path: str, name: str) -> None:
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")

    def post(self, path: str, data: dict, name: str, location: str) -> str:
        data = {"csrfmiddlewaretoken": PLAN["csrf"], **data}
        with self.client.post(
            path, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302 or location not in response.headers.get(
                "Location", ""
            ):
                response.failure(
                    f"status {response.status_code}, "
                    f"location {response.headers.get('Location', '')!r}"
                )
                return ""
            return response.headers["Location"]


class Customer(PortalUser):
    weight = 3

    def on_start(self) -> None:
        self.signed_in(next(_customers))

    @task(4)
    def my_tickets(self) -> None:
        self.get("/tickets/", "customer: ticket list")

    @task(4)
    def read_ticket(self) -> None:
        if self.identity["references"]:
            reference = random.choice(self.identity["references"])
            self.get(f"/tickets/{reference}/", "customer: ticket page")

    @task(2)
    def file_ticket(self) -> None:
        page = self.post(
            "/tickets/new/",
            {
                "licence": self.identity["licence"],
                "subject": f"{PLAN['marker']} #{next(_filed)}: не печатает отчёт",
                "description": "Отчёт не печатается после обновления.\n\nThe report "
                "does not print since the update.",
                "category": "malfunction",
                "priority": "normal",
                "contact_email": self.identity["email"],
                "contact_phone": "",
            },
            "file ticket",
            "/tickets/HD-",
        )
        if page:
            _filed_log.write(page.rstrip("/").rsplit("/", 1)[-1] + "\n")
            _filed_log.flush()


class Agent(PortalUser):
    weight = 2

    def on_start(self) -> None:
        self.signed_in(next(_agents))

    @task(4)
    def queue(self) -> None:
        self.get("/staff/queue/", "agent: queue")

    @task(2)
    def filtered_queue(self) -> None:
        view = random.choice(["unassigned", "mine", "waiting", "breaching"])
        self.get(f"/staff/queue/?view={view}", "agent: queue view")

    @task(4)
    def ticket_page(self) -> None:
        reference = random.choice(PLAN["open_references"])
        self.get(f"/tickets/{reference}/", "agent: ticket page")

    @task(1)
    def internal_note(self) -> None:
        reference = random.choice(PLAN["open_references"])
        self.post(
            f"/tickets/{reference}/",
            {"body": "Проверяю журнал / checking the log.", "internal": "on"},
            "agent: internal note",
            f"/tickets/{reference}/",
        )
