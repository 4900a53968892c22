"""The capital package itemised, the handover photo kept privately, and the asset's state at each follow-up."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from applicants.delivery import services
from applicants.models import CapitalAward, FollowUp
from applicants.privacy import roles
from programs.models import CapitalPackageItem
from tests.factories import CapitalPackageFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db

def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


def test_package_items_carry_quantity_value_and_supplier_and_refuse_zero_quantity():
    package = CapitalPackageFactory()
    item = CapitalPackageItem.objects.create(package=package, name="Kompor gas", quantity=2, unit="unit",
                                             unit_value_rupiah=450_000, supplier="CV Maju")
    assert item.value_rupiah == 900_000 and str(item) == "2 unit Kompor gas"
    with pytest.raises(IntegrityError), transaction.atomic():
        CapitalPackageItem.objects.create(package=package, name="Wajan", quantity=0, unit_value_rupiah=1)


def test_editors_manage_package_items_and_auditors_only_read_them():
    editor = Group.objects.get(name=roles.EDITOR).permissions.values_list("codename", flat=True)
    auditor = Group.objects.get(name=roles.AUDITOR).permissions.values_list("codename", flat=True)
    assert {"add_capitalpackageitem", "change_capitalpackageitem"} <= set(editor)
    assert "view_capitalpackageitem" in auditor and "change_capitalpackageitem" not in auditor


def _approved_award():
    proposer, approver = UserFactory(editor=True), UserFactory(editor=True)
    award = CapitalAward.propose(user=proposer, package=CapitalPackageFactory(),
                                 enrolment=EnrolmentFactory(graduate=True))
    award.approve(approver)
    return award, approver


def test_a_handover_photo_is_stored_privately_and_served_only_through_the_award_policy(client):
    award, editor = _approved_award()
    award.hand_over(editor, on=timezone.localdate(), number="BA-1",
                    photo=SimpleUploadedFile("serah.png", _png(), content_type="image/png"))
    award.refresh_from_db()
    assert award.handover_photo.name.startswith("handover-photos/")
    client.force_login(editor)
    response = client.get(reverse("graduation:award_photo", args=[award.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]).startswith(b"\x89PNG")
    client.force_login(UserFactory(groups=["Humas"]))
    assert client.get(reverse("graduation:award_photo", args=[award.pk])).status_code == 403


@pytest.mark.parametrize(("name", "content"), [
    ("serah.pdf", b"%PDF-1.4\n"),            # a document, not a photo
    ("serah.png", b"<svg onload=alert(1)>"),  # content does not match the extension
    ("serah.svg", b"<svg/>"),
])
def test_a_handover_photo_that_is_not_a_photo_is_refused_and_nothing_changes(name, content):
    award, editor = _approved_award()
    with pytest.raises(ValidationError) as refused:
        award.hand_over(editor, on=timezone.localdate(), number="BA-1",
                        photo=SimpleUploadedFile(name, content))
    assert "handover_photo" in refused.value.message_dict
    award.refresh_from_db()
    assert award.state == CapitalAward.State.APPROVED and not award.handover_photo


def test_unknown_award_photo_is_404(client):
    award, editor = _approved_award()
    client.force_login(editor)
    assert client.get(reverse("graduation:award_photo", args=[award.pk])).status_code == 404
    assert client.get(reverse("graduation:award_photo", args=[999999])).status_code == 404


def test_each_follow_up_records_the_asset_state_and_refuses_an_unknown_one(client):
    graduate = EnrolmentFactory(graduate=True)
    editor = UserFactory(editor=True)
    services.record_followup(graduate, 3, editor, working_status="own_business", business_running=True,
                             income_band="1m_2m", receiving_bansos=True, asset_state=FollowUp.AssetState.SOLD)
    assert FollowUp.objects.get().get_asset_state_display() == "Dijual"
    client.force_login(editor)
    url = reverse("delivery:followup_record", args=[graduate.pk, 6])
    answers = {"working_status": "own_business", "business_running": "yes", "income_band": "1m_2m",
               "receiving_bansos": "yes"}
    client.post(url, {**answers, "asset_state": "stolen_by_aliens"})
    assert not FollowUp.objects.filter(milestone=6).exists()
    client.post(url, {**answers, "asset_state": "broken"})
    assert FollowUp.objects.get(milestone=6).asset_state == FollowUp.AssetState.BROKEN
