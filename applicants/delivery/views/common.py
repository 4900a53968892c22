"""What the delivery action screens share: permissions, rendering, error messages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

VIEW = "applicants.view_application"
CHANGE = "applicants.change_application"
AWARD_VIEW = "applicants.view_capitalaward"
AWARD_CHANGE = "applicants.change_capitalaward"
GROUP_ADD = "applicants.add_businessgroup"
GROUP_CHANGE = "applicants.change_businessgroup"
PAGE_SIZE = 200


def render(request, template, title, context, icon="group"):
    return TemplateResponse(request, f"applicants/delivery/{template}",
                            {"page_title": title, "header_title": title, "header_icon": icon, **context})


def show_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


class Counter:
    """Numbers streamed rows and remembers how many there were (for the export log)."""

    def __init__(self):
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value
