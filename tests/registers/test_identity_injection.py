"""The register toolkit is told how to mask and read identity numbers; it never imports applicants."""

import pytest

from applicants import identity
from programs.registers import search
from programs.registers.base import RegisterModelAdmin, get_register, mask_every_digit, register_keys
from tests.factories import ApplicantFactory, ApplicationFactory, UserFactory

NIK = "3671014508900017"


def test_every_register_that_masks_uses_the_applicants_mask():
    masking = [get_register(key) for key in register_keys() if get_register(key).identity_permission]
    assert masking, "no register masks identity numbers"
    for register in masking:
        assert register.identity_masker(NIK) == identity.mask_identity(NIK), register.register_key
        assert register.identity_masker(NIK) != NIK


def test_the_mask_before_anyone_tells_the_toolkit_hides_every_digit():
    assert mask_every_digit(NIK) == "*" * 16 and mask_every_digit("") == ""


def test_rules_told_to_one_register_class_reach_its_subclasses_and_no_other():
    class Told(RegisterModelAdmin):
        pass

    class Child(Told):
        pass

    Told.use_identity_rules(masker=mask_every_digit, normaliser=str.strip)
    assert Child.identity_masker(NIK) == "*" * 16 and Child.phone_normaliser is None
    assert RegisterModelAdmin.identity_masker(NIK) == identity.mask_identity(NIK)
    assert RegisterModelAdmin.phone_normaliser("0812 3450 0999") == "+6281234500999"


@pytest.mark.parametrize(("typed", "found"), [
    (NIK, NIK), ("3671 0145 0890 0017", NIK), ("3671.0145.0890.0017", NIK), (f"'{NIK}", NIK),
    ("367101450890001", None), ("36710145089000170", None), ("abc", None), ("", None),
])
def test_identity_search_terms_are_read_by_the_injected_normaliser(typed, found):
    register = get_register("applicants")
    assert search.identity_term(typed, register.identity_normaliser) == found


def test_a_normaliser_that_returns_non_ascii_digits_never_reaches_the_database():
    assert search.identity_term("١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦", lambda term: term) is None


@pytest.mark.django_db
def test_phone_search_uses_the_injected_phone_normaliser(client):
    application = ApplicationFactory(applicant=ApplicantFactory(phone="+6281234500999"))
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    for typed in ("0812-3450-0999", "+62 812 3450 0999", "6281234500999"):
        response = client.get("/admin/applicants/application/", {"q": typed})
        assert application.reference in response.content.decode(), typed
    register = get_register("applicants")
    preparers = register.search_preparers()
    assert preparers[search.PHONE]("0812 3450 0999") == "+6281234500999"
    assert preparers[search.PHONE]("bukan nomor") is None
