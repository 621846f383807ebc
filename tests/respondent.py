"""A respondent walking the survey with the Django test client, as a browser without JavaScript would."""

import re

from django.test import Client

STATE = re.compile(r'name="state" value="([^"]+)"')
PAGE = re.compile(r'name="page" value="(\d+)"')


class Walk:
    def __init__(self, slug: str, client: Client | None = None, **headers):
        self.client = client or Client(enforce_csrf_checks=False)
        self.url = f"/s/{slug}/answer/"
        self.headers = headers
        self.response = None

    @property
    def html(self) -> str:
        return self.response.content.decode()

    def post(self, data: dict):
        self.response = self.client.post(self.url, data, **self.headers)
        return self.response

    def start(self):
        return self.post({"action": "start"})

    def state(self) -> str:
        return STATE.search(self.html).group(1)

    def page(self) -> str:
        return PAGE.search(self.html).group(1)

    def next(self, **answers):
        data = {"action": "next", "state": self.state(), "page": self.page()}
        data.update({f"q_{k}": v for k, v in answers.items()})
        return self.post(data)

    def back(self):
        return self.post({"action": "back", "state": self.state(), "page": self.page()})

    def submit(self, **extra):
        return self.post({"action": "submit", "state": self.state(), **extra})


def answer_all(slug: str, raised="yes", comment="", **headers) -> Walk:
    """Walk the factories' survey to the review page."""
    walk = Walk(slug, **headers)
    walk.start()
    walk.next(service="iapt")
    walk.next(raised_patient_care=raised)
    if raised == "yes":
        walk.next(outcome_patient_care="partly", patient_care_comment=comment)
    else:
        walk.next(patient_care_comment=comment)
    walk.next(safe="4", barriers=["fear", "time"])
    return walk
