"""Public verification of a completion certificate, reached by the QR code on it.

Anyone holding the certificate can check it, so the page shows only what the paper already shows
minus identity: first name, program, class, dates and whether it still holds. Never the NIK, KK,
full name, address or phone (UU PDP). The token is random; an unknown one is a plain 404.
"""

import re

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from applicants.graduation.certificates import first_name
from applicants.models import Certificate

TOKEN_MAX_LENGTH = 32
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]+")


def verify(request, token: str):
    # Tokens are URL-safe base64; anything else (a NUL, which PostgreSQL cannot even compare) is unknown.
    if len(token) > TOKEN_MAX_LENGTH or not TOKEN_SHAPE.fullmatch(token):
        raise Http404
    certificate = (
        Certificate.objects.select_related("enrolment__application__applicant", "enrolment__cohort__program")
        .filter(token=token).first()
    )
    if certificate is None:
        raise Http404
    applicant = certificate.enrolment.application.applicant
    cohort = certificate.enrolment.cohort
    response = render(request, "public_pages/certificate_verify.html", {
        "number": certificate.number,
        "first_name": "" if applicant.anonymised_at else first_name(applicant.full_name),
        "program": cohort.program.name,
        "cohort_name": cohort.name,
        "start_date": cohort.start_date,
        "end_date": cohort.end_date,
        "issued_on": certificate.issued_at,
        "valid": certificate.is_valid,
        "withdrawn_on": certificate.withdrawn_at,
    })
    patch_cache_control(response, private=True, no_store=True)
    return response
