"""Staff users: one factory, a trait per role (the groups the roles migration creates)."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from applicants.models import StaffProfile
from applicants.privacy.roles import AUDITOR, COMMS, EDITOR, INTERVIEWER

PASSWORD = "Sigap-rahasia-2026"


def _in_group(name):
    def add(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get(name=name))

    return factory.PostGeneration(add)


class UserFactory(factory.django.DjangoModelFactory):
    """`UserFactory(editor=True)`, `interviewer`, `comms`, `auditor`, `superuser`; `kecamatan=[...]` limits
    the user to those kecamatan (a StaffProfile); `groups=[name, ...]` adds groups by name."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True
        django_get_or_create = ("username",)

    class Params:
        superuser = factory.Trait(is_staff=True, is_superuser=True)
        editor = factory.Trait(editor_group=_in_group(EDITOR))
        interviewer = factory.Trait(
            interviewer_group=_in_group(INTERVIEWER), first_name=factory.Sequence(lambda n: f"Pewawancara {n}")
        )
        comms = factory.Trait(comms_group=_in_group(COMMS))
        auditor = factory.Trait(auditor_group=_in_group(AUDITOR))

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@sigap.example")
    password = factory.django.Password(PASSWORD)
    is_active = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))

    @factory.post_generation
    def kecamatan(self, create, extracted, **kwargs):
        if create and extracted:
            StaffProfile.objects.get_or_create(user=self)[0].kecamatan.set(extracted)
