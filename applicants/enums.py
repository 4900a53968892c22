"""Choice lists shared by models, forms, filters and exports."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class DtksSelfReport(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    NOT_REGISTERED = "not_registered", _("Not registered")
    UNSURE = "unsure", _("Don't know")


class Source(models.TextChoices):
    ONLINE = "online", _("Online form")
    WALK_IN = "walk_in", _("Walk-in at the kelurahan office")
    STAFF = "staff", _("Entered by staff")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    INTERVIEW_SCHEDULED = "interview_scheduled", _("Interview scheduled")
    INTERVIEWED = "interviewed", _("Interviewed")
    ACCEPTED = "accepted", _("Accepted")
    WAITLISTED = "waitlisted", _("Waitlisted")
    REJECTED = "rejected", _("Not accepted")
    ENROLLED = "enrolled", _("Enrolled in a class")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Eligibility(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    VERIFIED = "verified", _("Registered in DTSEN/DTKS")
    NOT_FOUND = "not_found", _("Not found")
    KK_MISMATCH = "kk_mismatch", _("NIK found, KK differs")
    DESIL_TOO_HIGH = "desil_too_high", _("Desil above the limit")


class Register(models.TextChoices):
    DTSEN = "dtsen", _("DTSEN")
    DTKS = "dtks", _("DTKS")


class DecisionReason(models.TextChoices):
    """Why an application was not (yet) accepted. The label is what the resident reads: plain words."""

    NOT_IN_REGISTER = "not_in_register", _("Not yet registered in DTSEN/DTKS")
    KK_MISMATCH = "kk_mismatch", _("KK number does not match the DTSEN/DTKS data")
    DESIL_TOO_HIGH = "desil_too_high", _("Family welfare level above the program limit")
    AGE_OUT_OF_RANGE = "age_out_of_range", _("Age outside the allowed range")
    NO_SHOW = "no_show", _("Did not attend the interview")
    QUOTA_FULL = "quota_full", _("Kelurahan quota is full")
    OTHER_PROGRAM_FITS = "other_program_fits", _("Another program is a better fit")
    NOT_AVAILABLE = "not_available", _("Not yet able to attend the whole training")
    FAMILY_ALREADY_ACCEPTED = "family_already_accepted", _("Another family member (same KK) already accepted")
    ALREADY_TRAINED = "already_trained", _("Has already taken a Dinsos training")
    INCOMPLETE_DATA = "incomplete_data", _("Application data incomplete or incorrect")
